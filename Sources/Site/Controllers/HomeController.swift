import Mustache
import Web

/// The home page and the health check.
struct HomeController {
    func register(on router: Router) {
        router.get("/", use: home)
        router.get("/healthz", use: health)
    }

    @Sendable func home(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: "Welcome").view("site/home")
    }

    /// For load balancers and platform health checks: cheap, no database, no session.
    @Sendable func health(_ request: Request, context: RequestContext) async throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: Array(#"{"status":"ok"}"#.utf8))
    }
}
