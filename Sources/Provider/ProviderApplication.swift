import IdentityWeb
import Mustache
import Web

/// The application factory: `latchkey provider` and every provider test build the provider
/// through here, with different configurations, so tests exercise exactly what production runs.
public enum ProviderApplication {
    /// The session cookie's name. It differs from the site's (`latchkey_session`), because
    /// browsers share cookies across ports of one host and both often run on 127.0.0.1.
    public static let sessionCookie = "latchkey_provider_session"

    /// Paths called by programs with their own credentials (client authentication or bearer
    /// tokens), never by a browser's cookie, so the CSRF check does not apply to them.
    public static let csrfExemptPrefixes = ["/oauth/token", "/oauth/revoke", "/oauth/introspect", "/oauth/userinfo", "/oauth/par",
                                             "/oauth/device_authorization", "/oauth/register", "/oauth/logout", "/api/"]

    /// Builds the provider over opened services: templates parsed once, static files indexed
    /// once, routes registered, middleware in order.
    public static func make(services: ProviderServices, logger: Logger = Logger()) throws -> Application {
        let configuration = services.configuration
        let templates = try Application.loadLocalizedTemplates(directory: configuration.templatesDirectory, required: ["provider/layout", "provider/error"])
        let router = Router()
        AccountController(services: services).register(on: router)
        AccountPageController(services: services).register(on: router)
        AppsPageController(services: services).register(on: router)
        SecurityPageController(services: services).register(on: router)
        SecondFactorController(services: services).register(on: router)
        PasskeyController(services: services).register(on: router)
        PasswordResetController(services: services).register(on: router)
        AuthorizeController(services: services).register(on: router)
        LogoutController(services: services).register(on: router)
        TokenController(services: services).register(on: router)
        PushedAuthorizationController(services: services).register(on: router)
        DeviceAuthorizationController(services: services).register(on: router)
        DevicePageController(services: services).register(on: router)
        RegistrationController(services: services).register(on: router)
        RevocationController(services: services).register(on: router)
        ResourceController(services: services).register(on: router)
        DiscoveryController(services: services).register(on: router)
        AdminClientsController(services: services).register(on: router)
        AdminClientLogoutController(services: services).register(on: router)

        // Order matters: the log sees the final status; security headers cover error pages;
        // static files skip sessions; the inner error page can show who is signed in.
        let middleware: [any Middleware] = [
            RequestLogMiddleware(),
            SecurityHeadersMiddleware(hsts: configuration.isHTTPS),
            // Before the error pages, so that they too are in the reader's language.
            LanguageMiddleware(templates: templates, secure: configuration.isHTTPS),
            ErrorPageMiddleware(template: "provider/error"),
            FileMiddleware(directory: configuration.publicDirectory, cacheControl: configuration.staticCacheControl),
            SessionMiddleware(store: services.sessions, settings: .init(cookieName: sessionCookie, secure: configuration.isHTTPS,
                                                                       trustedProxies: configuration.trustedProxies,
                                                                       exemptPaths: [HealthCheck.path])),
            services.currentUserMiddleware,
            ErrorPageMiddleware(template: "provider/error") { context, values in MustacheValue(Page(context, title: context.translator.text("Error"), values)) },
            CSRFMiddleware(exemptPrefixes: csrfExemptPrefixes),
        ]
        return Application(responder: router.responder(middleware: middleware), templates: templates.fallback, logger: logger, errors: .identity)
    }
}
