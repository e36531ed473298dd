import Foundation
import Identity
import Web

/// Everything the site reads from its environment, read once at start-up into one typed value
/// (12-factor). Every default lives in `defaults` below; README's configuration table mirrors it.
public struct SiteConfiguration: Sendable {
    /// Where the process runs; production refuses unsafe defaults.
    public var environment: AppEnvironment
    public var host: String
    public var port: Int
    /// The public origin (`https://example.com`), used for OAuth callbacks and `Secure` cookies.
    public var baseURL: String?
    public var logLevel: Logger.Level
    /// Folder of Mustache templates (`site/…` is ours).
    public var templatesDirectory: String
    /// Folder served as static files at `/`.
    public var publicDirectory: String
    /// `Cache-Control` for static files.
    public var staticCacheControl: String
    /// Event loops (threads running epoll); one per core by default.
    public var eventLoops: Int
    /// `sqlite:path`, a bare path, or `postgres://…`.
    public var databaseURL: String
    /// Where migrations live (`site/` inside it is ours).
    public var migrationsDirectory: String
    /// The master secret; nil in development means "use (or create) `db/secret_key`".
    public var secretKey: String?
    /// Older secrets still accepted for reading, during a key rotation.
    public var secretKeyFallbacks: [String]
    /// How many proxies in front of us append to `X-Forwarded-For` (0: trust none).
    public var trustedProxies: Int
    /// Failed sign-ins allowed per account and per IP within `loginWindow` seconds.
    public var loginMaxFailures: Int
    public var loginWindow: Int
    /// scrypt cost as log2(N); 15 in production, lower only in tests.
    public var passwordHashCost: Int
    /// Link a new social account to a local account with the same email when both are verified.
    public var autoLinkVerifiedEmails: Bool
    /// Outbound HTTP timeouts (seconds) for provider calls.
    public var httpConnectTimeout: Double
    public var httpTimeout: Double
    /// Redirect plain HTTP to HTTPS (behind a trusted, TLS-terminating proxy).
    public var forceHTTPS: Bool
    /// How long SIGTERM waits for in-flight requests: 25 s in production (platforms allow 30).
    public var shutdownGracePeriod: Double
    /// How long an API bearer token lives, in seconds (30 days by default).
    public var apiTokenLifetime: Int
    /// API sign-in attempts allowed per client IP per minute.
    public var apiRateLimit: Int
    /// How many times start-up tries an unreachable database before giving up.
    public var databaseConnectAttempts: Int
    /// Seconds between sweeps of expired sessions, states, tokens and throttle rows.
    public var housekeepingInterval: Int
    /// The whole environment, for the provider registry (`GITHUB_CLIENT_ID`, …).
    public var providerEnvironment: [String: String]

    /// The defaults, in one table: a key's absence from the environment means this value.
    public static let defaults: [String: String] = [
        "APP_ENV": "development",
        "HOST": "127.0.0.1",
        "PORT": "8080",
        "LOG_LEVEL": "info",
        "TEMPLATES_DIR": "Templates",
        "PUBLIC_DIR": "Public",
        "STATIC_CACHE_CONTROL": "public, max-age=300",
        "EVENT_LOOPS": "",
        "DATABASE_URL": "sqlite:db/site.sqlite3",
        "MIGRATIONS_DIR": "db/migrations",
        "SECRET_KEY": "",
        "SECRET_KEY_FALLBACKS": "",
        "TRUSTED_PROXIES": "0",
        "LOGIN_MAX_FAILURES": "5",
        "LOGIN_WINDOW_SECONDS": "900",
        "PASSWORD_HASH_COST": "15",
        "AUTO_LINK_VERIFIED_EMAILS": "0",
        "HTTP_CONNECT_TIMEOUT": "5",
        "HTTP_TIMEOUT": "15",
        "FORCE_HTTPS": "0",
        "DATABASE_CONNECT_ATTEMPTS": "5",
        "API_TOKEN_TTL": "2592000",
        "API_RATE_LIMIT": "30",
        "HOUSEKEEPING_INTERVAL": "300",
    ]

    /// Reads the configuration from `environment` (the process environment, with a `.env` file's
    /// values underneath in development).
    public init(environment env: [String: String]) throws(ConfigurationError) {
        let read = EnvironmentReader(env, defaults: Self.defaults)
        environment = try read.appEnvironment()
        host = read.string("HOST")
        port = try read.number("PORT", 0...65535)
        baseURL = try read.baseURL("BASE_URL", example: "https://latchkey.example.com")
        logLevel = try read.choice("LOG_LEVEL", Logger.Level.byName)
        templatesDirectory = read.string("TEMPLATES_DIR")
        publicDirectory = read.string("PUBLIC_DIR")
        staticCacheControl = read.string("STATIC_CACHE_CONTROL")
        eventLoops = read.optional("EVENT_LOOPS") == nil ? System.coreCount : try read.number("EVENT_LOOPS", 1...1024)
        databaseURL = read.string("DATABASE_URL")
        migrationsDirectory = read.string("MIGRATIONS_DIR")
        secretKey = read.optional("SECRET_KEY")
        secretKeyFallbacks = read.list("SECRET_KEY_FALLBACKS")
        trustedProxies = try read.number("TRUSTED_PROXIES", 0...16)
        loginMaxFailures = try read.number("LOGIN_MAX_FAILURES", 1...1000)
        loginWindow = try read.number("LOGIN_WINDOW_SECONDS", 1...86_400)
        passwordHashCost = try read.number("PASSWORD_HASH_COST", 8...20)
        apiTokenLifetime = try read.number("API_TOKEN_TTL", 60...31_536_000)
        apiRateLimit = try read.number("API_RATE_LIMIT", 1...100_000)
        autoLinkVerifiedEmails = read.flag("AUTO_LINK_VERIFIED_EMAILS")
        httpConnectTimeout = try read.seconds("HTTP_CONNECT_TIMEOUT")
        httpTimeout = try read.seconds("HTTP_TIMEOUT")
        databaseConnectAttempts = try read.number("DATABASE_CONNECT_ATTEMPTS", 1...100)
        housekeepingInterval = try read.number("HOUSEKEEPING_INTERVAL", 10...86_400)
        providerEnvironment = env
        forceHTTPS = read.flag("FORCE_HTTPS")
        if forceHTTPS && trustedProxies == 0 {
            // Without a trusted proxy's X-Forwarded-Proto every request looks like plain HTTP, and
            // the redirect would loop forever.
            throw ConfigurationError(variable: "FORCE_HTTPS", problem: "needs TRUSTED_PROXIES (the TLS-terminating proxy that sets X-Forwarded-Proto)")
        }
        shutdownGracePeriod = environment == .production ? 25 : 10
        if environment == .production {
            if secretKey == nil { throw ConfigurationError(variable: "SECRET_KEY", problem: "must be set when APP_ENV=production (a long random string)") }
            if baseURL == nil {
                throw ConfigurationError(variable: "BASE_URL", problem: "must be set when APP_ENV=production (the public origin, e.g. https://latchkey.example.com)")
            }
            if passwordHashCost < 15 { throw ConfigurationError(variable: "PASSWORD_HASH_COST", problem: "must be at least 15 in production") }
        }
    }

    /// The origin OAuth callbacks are built on: `BASE_URL`, or the request's own host.
    public func origin(for request: Request) -> String {
        if let baseURL { return baseURL }
        let host = request.forwardedHost(trustedProxies: trustedProxies) ?? "\(self.host):\(port)"
        return request.forwardedScheme(trustedProxies: trustedProxies) + "://" + host
    }

    /// Whether pages are served over HTTPS (decides the `Secure` cookie flag and HSTS).
    public var isHTTPS: Bool { baseURL?.hasPrefix("https://") ?? false }
}
