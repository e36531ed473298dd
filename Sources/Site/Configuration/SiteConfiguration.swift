import Foundation
import Identity
import IdentityWeb
import Security
import Web

/// Everything the site reads from its environment, read once at start-up into one typed value
/// (12-factor): the settings every app shares (`AppSettings`, reached as `configuration.port`
/// and so on) plus the site's own. Every default lives in `defaults`; README's configuration
/// table mirrors it.
@dynamicMemberLookup
public struct SiteConfiguration: Sendable {
    /// What the site reads like every app.
    public var app: AppSettings
    /// The public origin (`https://example.com`), used for OAuth callbacks and `Secure` cookies.
    public var baseURL: String?
    /// Link a new social account to a local account with the same email when both are verified.
    public var autoLinkVerifiedEmails: Bool
    /// `mandatory`: nothing but verifying until the address is verified; `optional`: a notice.
    public var emailVerificationRequired: Bool
    /// Outbound HTTP timeouts (seconds) for provider calls.
    public var httpConnectTimeout: Double
    public var httpTimeout: Double
    /// Seconds one social sign-in may spend calling its provider, all calls together.
    public var signInDeadline: Double
    /// Redirect plain HTTP to HTTPS (behind a trusted, TLS-terminating proxy).
    public var forceHTTPS: Bool
    /// How long SIGTERM waits for in-flight requests: 25 s in production (platforms allow 30).
    public var shutdownGracePeriod: Double
    /// How long an API bearer token lives, in seconds (30 days by default).
    public var apiTokenLifetime: Int
    /// API sign-in attempts allowed per client IP per minute.
    public var apiRateLimit: Int
    /// Seconds a sign-in (or re-authentication) stays fresh enough for sensitive actions:
    /// changing the password or address, second factors, disconnecting, deleting the account,
    /// admin actions. Older, and the person is asked to prove it is them again.
    public var reauthenticationTimeout: Int
    /// Admin pages demand that the administrator's session used a second factor.
    public var requireMFAForAdmins: Bool
    /// `WEBAUTHN_RP_ID`: the domain passkeys are scoped to; nil: `BASE_URL`'s host (or, in
    /// development without one, each request's host).
    public var webAuthnRPID: String?
    /// `WEBAUTHN_ORIGINS`: the origins whose pages may use passkeys; empty: `BASE_URL`'s origin
    /// (or each request's).
    public var webAuthnOrigins: [String]
    /// The whole environment, for the provider registry (`GITHUB_CLIENT_ID`, …).
    public var providerEnvironment: [String: String]

    /// The defaults, in one table: a key's absence from the environment means this value.
    public static let defaults: [String: String] = AppSettings.defaults.merging([
        "HOST": "127.0.0.1",
        "PORT": "8080",
        "DATABASE_URL": "sqlite:db/site.sqlite3",
        "SECRET_KEY": "",
        "SECRET_KEY_FALLBACKS": "",
        "AUTO_LINK_VERIFIED_EMAILS": "0",
        "ACCOUNT_EMAIL_VERIFICATION": "optional",
        "HTTP_CONNECT_TIMEOUT": "5",
        "HTTP_TIMEOUT": "15",
        "SIGN_IN_DEADLINE": "20",
        "FORCE_HTTPS": "0",
        "API_TOKEN_TTL": "2592000",
        "API_RATE_LIMIT": "30",
        "REAUTHENTICATION_TIMEOUT": "300",
        "REQUIRE_MFA_FOR_ADMINS": "0",
        "WEBAUTHN_RP_ID": "",
        "WEBAUTHN_ORIGINS": "",
    ]) { shared, _ in shared }

    /// The shared settings as if they were the site's own (`configuration.port`).
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<AppSettings, Value>) -> Value {
        get { app[keyPath: keyPath] }
        set { app[keyPath: keyPath] = newValue }
    }

    /// What the shared settings derive (`configuration.throttle`).
    public subscript<Value>(dynamicMember keyPath: KeyPath<AppSettings, Value>) -> Value { app[keyPath: keyPath] }

    /// Reads the configuration from `environment` (the process environment, with a `.env` file's
    /// values underneath in development).
    public init(environment env: [String: String]) throws(ConfigurationError) {
        let read = EnvironmentReader(env, defaults: Self.defaults)
        var problems = ConfigurationProblems()
        app = AppSettings(read, names: .site, problems: &problems)
        baseURL = problems.read(nil) { () throws(ConfigurationError) in try read.baseURL("BASE_URL", example: "https://latchkey.example.com") }
        apiTokenLifetime = problems.read(60) { () throws(ConfigurationError) in try read.number("API_TOKEN_TTL", 60...31_536_000) }
        apiRateLimit = problems.read(1) { () throws(ConfigurationError) in try read.number("API_RATE_LIMIT", 1...100_000) }
        autoLinkVerifiedEmails = read.flag("AUTO_LINK_VERIFIED_EMAILS")
        reauthenticationTimeout = problems.read(300) { () throws(ConfigurationError) in try read.number("REAUTHENTICATION_TIMEOUT", 1...86_400) }
        requireMFAForAdmins = read.flag("REQUIRE_MFA_FOR_ADMINS")
        emailVerificationRequired = problems.read(false) { () throws(ConfigurationError) in
            try read.choice("ACCOUNT_EMAIL_VERIFICATION", ["optional": false, "mandatory": true])
        }
        if emailVerificationRequired && app.mail == .off {
            problems.add("ACCOUNT_EMAIL_VERIFICATION", "cannot be mandatory while EMAIL_URL=off (no code could ever arrive)")
        }
        httpConnectTimeout = problems.read(1) { () throws(ConfigurationError) in try read.seconds("HTTP_CONNECT_TIMEOUT") }
        httpTimeout = problems.read(1) { () throws(ConfigurationError) in try read.seconds("HTTP_TIMEOUT") }
        signInDeadline = problems.read(1) { () throws(ConfigurationError) in try read.seconds("SIGN_IN_DEADLINE") }
        providerEnvironment = env
        webAuthnRPID = read.optional("WEBAUTHN_RP_ID")?.lowercased()
        // An origin has no path; a trailing slash is forgiven, since browsers compare exactly.
        webAuthnOrigins = read.list("WEBAUTHN_ORIGINS").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        for origin in webAuthnOrigins where URL(string: origin)?.host == nil || URL(string: origin)?.path.isEmpty == false {
            problems.add("WEBAUTHN_ORIGINS", "must be origins without a path, such as https://example.com (got \"\(origin)\")")
        }
        if let rpID = webAuthnRPID, let host = baseURL.flatMap({ URL(string: $0)?.host?.lowercased() }),
           host != rpID && !host.hasSuffix("." + rpID) {
            // Browsers refuse an RP ID that is not the page's host or a parent of it.
            problems.add("WEBAUTHN_RP_ID", "must be BASE_URL's host (\(host)) or a parent domain of it (got \"\(rpID)\")")
        }
        forceHTTPS = read.flag("FORCE_HTTPS")
        if forceHTTPS && app.trustedProxies == 0 {
            // Without a trusted proxy's X-Forwarded-Proto every request looks like plain HTTP, and
            // the redirect would loop forever.
            problems.add("FORCE_HTTPS", "needs TRUSTED_PROXIES (the TLS-terminating proxy that sets X-Forwarded-Proto)")
        }
        shutdownGracePeriod = app.environment == .production ? 25 : 10
        if app.environment == .production && baseURL == nil {
            problems.add("BASE_URL", "must be set when APP_ENV=production (the public origin, e.g. https://latchkey.example.com)")
        }
        try problems.check()
    }

    /// The origin OAuth callbacks are built on: `BASE_URL`, or the request's own host.
    public func origin(for request: Request) -> String {
        if let baseURL { return baseURL }
        let host = request.forwardedHost(trustedProxies: app.trustedProxies) ?? "\(app.host):\(app.port)"
        return request.forwardedScheme(trustedProxies: app.trustedProxies) + "://" + host
    }

    /// The WebAuthn relying party pages at `request` talk to: `WEBAUTHN_RP_ID` or the origin's
    /// host, and `WEBAUTHN_ORIGINS` or the origin itself. Without `BASE_URL` (development) the
    /// request's host stands in, so passkeys made on `localhost` do not work on `127.0.0.1`.
    public func relyingParty(for request: Request, userVerification: RelyingParty.UserVerification) -> RelyingParty {
        // An origin is scheme, host and port only: a BASE_URL with a path keeps none of it.
        let url = URL(string: origin(for: request))
        let host = url?.host?.lowercased() ?? app.host
        let origin = "\(url?.scheme ?? "http")://\(host)" + (url?.port.map { ":\($0)" } ?? "")
        return RelyingParty(id: webAuthnRPID ?? host, name: "Latchkey", origins: webAuthnOrigins.isEmpty ? [origin] : webAuthnOrigins,
                            userVerification: userVerification)
    }

    /// Whether pages are served over HTTPS (decides the `Secure` cookie flag and HSTS).
    public var isHTTPS: Bool { baseURL?.hasPrefix("https://") ?? false }
}
