import Accounts
import Foundation
import Identity
import IdentityWeb
import Mustache
import Web

/// The application factory: `latchkey serve` and every site test build the site through here,
/// with different configurations, so tests exercise exactly what production runs.
public enum SiteApplication {
    /// The session cookie's name. It differs from the sibling provider's, because browsers share
    /// cookies across ports of one host and both often run on 127.0.0.1 in development.
    public static let sessionCookie = "latchkey_session"

    /// Builds the site over opened services: templates parsed once, static files indexed once,
    /// routes registered, middleware in order.
    public static func make(services: SiteServices, logger: Logger = Logger()) throws -> Application {
        let configuration = services.configuration
        let templates = try Application.loadLocalizedTemplates(directory: configuration.templatesDirectory, required: ["site/layout", "site/error"])
        let router = Router()
        HomeController(services: services).register(on: router)
        SignUpController(services: services).register(on: router)
        AccountController(services: services).register(on: router)
        PasswordResetController(services: services).register(on: router)
        SignInCodeController(services: services).register(on: router)
        SecondFactorController(services: services).register(on: router)
        SecurityController(services: services).register(on: router)
        EmailController(services: services).register(on: router)
        SocialController(services: services).register(on: router)
        BackchannelLogoutController(services: services).register(on: router)
        SocialSignUpController(services: services).register(on: router)
        ReauthenticationController(services: services).register(on: router)
        AccountLifecycleController(services: services).register(on: router)
        AdminController(services: services).register(on: router)
        APIController(services: services, limit: RateLimit("api_sign_in", limit: configuration.apiRateLimit, window: 60)).register(on: router)

        // Order matters: the log sees the final status; security headers cover error pages;
        // static files skip sessions; the inner error page can show who is signed in.
        var middleware: [any Middleware] = [
            RequestLogMiddleware(),
            SecurityHeadersMiddleware(hsts: configuration.isHTTPS),
            // Before the error pages, so that they too are in the reader's language.
            LanguageMiddleware(templates: templates, secure: configuration.isHTTPS),
            ErrorPageMiddleware(template: "site/error"),
            FileMiddleware(directory: configuration.publicDirectory, cacheControl: configuration.staticCacheControl),
            SessionMiddleware(store: services.sessions,
                              settings: .init(cookieName: sessionCookie, secure: configuration.isHTTPS,
                                              trustedProxies: configuration.trustedProxies, exemptPaths: [HealthCheck.path])),
            services.currentUserMiddleware,
            ErrorPageMiddleware(template: "site/error") { context, values in MustacheValue(Page(context, title: context.translator.text("Error"), values)) },
            CSRFMiddleware(exemptPrefixes: ["/api/", BackchannelLogoutController.path]),
            // After the CSRF check (a forged request is refused, not detoured), before any route.
            RequireRecentAuthenticationMiddleware(policy: ReauthenticationPolicy(timeout: configuration.reauthenticationTimeout, clock: services.clock),
                                                  trustedProxies: configuration.trustedProxies),
            // Innermost, so it sees the router's 404/405 for /api paths before the HTML error pages do.
            APIErrorMiddleware(),
        ]
        if configuration.emailVerificationRequired, let index = middleware.firstIndex(where: { $0 is CurrentUserMiddleware<User> }) {
            middleware.insert(RequireVerifiedEmailMiddleware(), at: index + 1)
        }
        if configuration.forceHTTPS {
            let host = configuration.baseURL.flatMap { URL(string: $0)?.host }
            middleware.insert(ForceHTTPSMiddleware(trustedProxies: configuration.trustedProxies, canonicalHost: host,
                                                   exemptPaths: [HealthCheck.path]), at: 2)
        }
        return Application(responder: router.responder(middleware: middleware), templates: templates.fallback, logger: logger, errors: .identity)
    }
}
