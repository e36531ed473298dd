import Foundation
import Identity
import IdentityWeb
import Web

/// Everything the provider reads from its environment, read once at start-up into one typed
/// value (12-factor): the settings every app shares (`AppSettings`, under `PROVIDER_` names where
/// they would clash with the site's, reached as `configuration.port` and so on) plus the
/// provider's own. Every default lives in `defaults`; docs/provider.md mirrors the table.
///
/// The provider runs beside the site, often from the same environment, so a few settings fall
/// back to the site's variable when the `PROVIDER_` one is unset (`PROVIDER_PORT`, then `PORT`).
@dynamicMemberLookup
public struct ProviderConfiguration: Sendable {
    /// What the provider reads like every app.
    public var app: AppSettings
    /// The issuer and public origin (`https://id.example.com`), without a trailing slash.
    public var baseURL: String
    /// Access token lifetime, in seconds.
    public var accessTokenTTL: Int
    /// Refresh token lifetime; each rotation starts a new one.
    public var refreshTokenTTL: Int
    /// Authorization code lifetime (60 s).
    public var authorizationCodeTTL: Int
    /// Resource servers (RFC 8707 resource indicators: absolute URIs without fragment) that
    /// clients may ask access tokens for, besides the provider's own endpoints.
    public var resources: [String]
    /// RFC 9449 §8: DPoP proofs must carry a server nonce (`PROVIDER_DPOP_NONCES=1`).
    public var dpopNonces: Bool
    /// Seconds between publishing a rotated-in signing key and signing with it
    /// (`PROVIDER_KEY_ROTATION_GRACE`): how long a client may cache the JWK Set.
    public var keyRotationGrace: Int
    /// Dynamic client registration (RFC 7591): off, open to anyone, or with an initial access token.
    public var registration: RegistrationMode

    /// Who may register a client at `/oauth/register` (`PROVIDER_REGISTRATION`).
    public enum RegistrationMode: String, Sendable {
        /// Not at all: the endpoint is a 404 and discovery does not name it (the default).
        case off
        /// Anyone: every registered client still needs its users' consent.
        case open
        /// Whoever holds an initial access token from `latchkey clients token`.
        case token
    }

    /// The provider's variable names for the shared settings.
    static let names = AppSettings.Names(host: "PROVIDER_HOST", port: "PROVIDER_PORT", databaseURL: "PROVIDER_DATABASE_URL",
                                         databaseSchema: "PROVIDER_DATABASE_SCHEMA", secretKey: "PROVIDER_SECRET_KEY",
                                         secretKeyFallbacks: "PROVIDER_SECRET_KEY_FALLBACKS", secretKeyHint: "(or SECRET_KEY)")

    /// The schema the provider takes when it is pointed at the site's own PostgreSQL database
    /// without naming one, so the two apps' tables never meet.
    public static let sharedDatabaseSchema = "latchkey_provider"

    /// The defaults, in one table. An empty value means "computed": the base URL from the port,
    /// the secret from the development key file, event loops from the core count.
    public static let defaults: [String: String] = AppSettings.defaults.merging([
        "PROVIDER_HOST": "127.0.0.1",
        "PROVIDER_PORT": "9090",
        "PROVIDER_BASE_URL": "",
        "PROVIDER_DATABASE_URL": "sqlite:db/provider.sqlite3",
        "PROVIDER_SECRET_KEY": "",
        "PROVIDER_SECRET_KEY_FALLBACKS": "",
        "PROVIDER_ACCESS_TOKEN_TTL": "3600",
        "PROVIDER_REFRESH_TOKEN_TTL": "2592000",
        "PROVIDER_CODE_TTL": "60",
        "PROVIDER_RESOURCES": "",
        "PROVIDER_DPOP_NONCES": "0",
        // A day: JWKS caches in client libraries and HTTP caches are commonly hours long (ours
        // says five minutes), and a rotation is planned work, so waiting a day costs nothing.
        "PROVIDER_KEY_ROTATION_GRACE": "86400",
        "PROVIDER_REGISTRATION": "off",
    ]) { shared, _ in shared }

    /// Site variables a `PROVIDER_` variable falls back to when it is unset.
    static let fallbacks: [String: String] = [
        "PROVIDER_HOST": "HOST",
        "PROVIDER_PORT": "PORT",
        "PROVIDER_SECRET_KEY": "SECRET_KEY",
        "PROVIDER_SECRET_KEY_FALLBACKS": "SECRET_KEY_FALLBACKS",
    ]

    /// The shared settings as if they were the provider's own (`configuration.port`).
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<AppSettings, Value>) -> Value {
        get { app[keyPath: keyPath] }
        set { app[keyPath: keyPath] = newValue }
    }

    /// What the shared settings derive (`configuration.throttle`).
    public subscript<Value>(dynamicMember keyPath: KeyPath<AppSettings, Value>) -> Value { app[keyPath: keyPath] }

    /// Reads the configuration from `environment` (the process environment, with a `.env`
    /// file's values underneath in development).
    public init(environment env: [String: String]) throws(ConfigurationError) {
        let read = EnvironmentReader(env, defaults: Self.defaults, fallbacks: Self.fallbacks)
        var problems = ConfigurationProblems()
        app = AppSettings(read, names: Self.names, problems: &problems)
        // The site's database, given again: PostgreSQL gets a schema of the provider's own;
        // SQLite cannot hold both apps in one file (both have `users`, `sessions`…).
        if let site = env["DATABASE_URL"], !site.isEmpty, site == app.databaseURL, app.databaseSchema == nil {
            if site.hasPrefix("postgres") {
                app.databaseSchema = Self.sharedDatabaseSchema
            } else {
                problems.add("PROVIDER_DATABASE_URL", "names the site's SQLite database; give the provider a file of its own (or use PostgreSQL, where it takes a schema of its own)")
            }
        }
        let base = problems.read(nil) { () throws(ConfigurationError) in try read.baseURL("PROVIDER_BASE_URL", example: "https://id.example.com") }
        if base == nil && app.environment == .production {
            problems.add("PROVIDER_BASE_URL", "must be set when APP_ENV=production (the issuer, e.g. https://id.example.com)")
        }
        baseURL = base ?? "http://127.0.0.1:\(app.port)"
        accessTokenTTL = problems.read(60) { () throws(ConfigurationError) in try read.number("PROVIDER_ACCESS_TOKEN_TTL", 60...86_400 * 7) }
        refreshTokenTTL = problems.read(60) { () throws(ConfigurationError) in try read.number("PROVIDER_REFRESH_TOKEN_TTL", 60...86_400 * 365) }
        authorizationCodeTTL = problems.read(10) { () throws(ConfigurationError) in try read.number("PROVIDER_CODE_TTL", 10...600) }
        dpopNonces = read.flag("PROVIDER_DPOP_NONCES")
        resources = read.list("PROVIDER_RESOURCES")
        for resource in resources where !Self.isResourceIndicator(resource) {
            problems.add("PROVIDER_RESOURCES", "each resource must be an absolute URI without fragment or spaces, such as https://api.example.com (got \"\(resource)\")")
        }
        // At least the JWK Set's own max-age plus an instance's refresh interval, or a client
        // caching it as told could meet the new key before it has seen it.
        keyRotationGrace = problems.read(86_400) { () throws(ConfigurationError) in try read.number("PROVIDER_KEY_ROTATION_GRACE", 360...86_400 * 30) }
        registration = problems.read(.off) { () throws(ConfigurationError) in
            try read.choice("PROVIDER_REGISTRATION", ["off": RegistrationMode.off, "open": .open, "token": .token])
        }
        try problems.check()
    }

    /// RFC 8707 §2: an absolute URI without a fragment (printable ASCII: we store them space-separated).
    static func isResourceIndicator(_ value: String) -> Bool {
        guard value.utf8.count <= 500, value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }),
              !value.contains("#"), let url = URL(string: value), url.scheme != nil else { return false }
        return true
    }

    /// Whether pages are served over HTTPS (decides the `Secure` cookie flag and HSTS).
    public var isHTTPS: Bool { baseURL.hasPrefix("https://") }
}
