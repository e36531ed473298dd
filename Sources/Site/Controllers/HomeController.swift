import IdentityWeb
import Mustache
import Web

/// The home page and the health check.
struct HomeController {
    let services: SiteServices

    func register(on router: Router) {
        router.get("/", use: home)
        HealthCheck.register(on: router)
    }

    /// Names only the providers configured here; `?signed_out=1` (where signing out lands, the
    /// session being gone) says that it worked.
    @Sendable func home(_ request: Request, context: RequestContext) async throws -> View {
        let names = services.social.registry.enabled.map(\.displayName)
        return Page(context, title: context.translator.text("Welcome"), [
            "providerNames": names.isEmpty ? .null : .string(SocialController.either(names, context.translator)),
            "signedOut": .bool(try context.currentUser == nil && request.query()["signed_out"] == "1"),
        ]).view("site/home")
    }
}
