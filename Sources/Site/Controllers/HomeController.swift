import IdentityWeb
import Mustache
import Web

/// The home page and the health check.
struct HomeController {
    func register(on router: Router) {
        router.get("/", use: home)
        HealthCheck.register(on: router)
    }

    @Sendable func home(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: "Welcome").view("site/home")
    }
}
