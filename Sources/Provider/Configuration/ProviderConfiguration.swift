import Foundation
import Identity
import Web

/// Everything the provider reads from its environment, read once at start-up into one typed
/// value (12-factor). Every default lives in `defaults`; docs/provider.md mirrors the table.
///
/// The provider runs beside the site, often from the same environment, so a few settings fall
/// back to the site's variable when the `PROVIDER_` one is unset (`PROVIDER_PORT`, then `PORT`).
public struct ProviderConfiguration: Sendable {
    /// `APP_ENV`: production refuses unsafe defaults.
    public var environment: AppEnvironment
    /// The address to listen on (`PROVIDER_HOST`, else `HOST`).
    public var host: String
    /// The port to listen on (`PROVIDER_PORT`, else `PORT`, else 9090).
    public var port: Int
    /// The issuer and public origin (`https://id.example.com`), without a trailing slash.
    public var baseURL: String
    /// The lowest level written to the log.
    public var logLevel: Logger.Level
    /// Folder of Mustache templates (`provider/…` is ours).
    public var templatesDirectory: String
    /// Folder served as static files at `/` (the site's stylesheet is shared).
    public var publicDirectory: String
    /// `Cache-Control` for static files.
    public var staticCacheControl: String
    /// Event loops (threads running epoll); one per core by default.
    public var eventLoops: Int
    /// `sqlite:path`, a bare path, or `postgres://…`; never the site's database.
    public var databaseURL: String
    /// Where migrations live (`provider/` inside it is ours).
    public var migrationsDirectory: String
    /// The master secret; nil in development means "use (or create) `db/provider_secret_key`".
    public var secretKey: String?
    /// Older secrets still accepted for reading, during a key rotation.
    public var secretKeyFallbacks: [String]
    /// How many proxies in front of us append to `X-Forwarded-For` (0: trust none).
    public var trustedProxies: Int
    /// Lifetimes in seconds.
    public var accessTokenTTL: Int
    /// Refresh token lifetime; each rotation starts a new one.
    public var refreshTokenTTL: Int
    /// Authorization code lifetime (60 s).
    public var authorizationCodeTTL: Int
    /// scrypt cost as log2(N); 15 in production, lower only in tests.
    public var passwordHashCost: Int
    /// Failed sign-ins allowed per account and per IP within `loginWindow` seconds.
    public var loginMaxFailures: Int
    /// The window, in seconds, over which failures are counted.
    public var loginWindow: Int
    /// How many times start-up tries an unreachable database before giving up.
    public var databaseConnectAttempts: Int
    /// Seconds between sweeps of expired sessions, codes, tokens and throttle rows.
    public var housekeepingInterval: Int

    /// The defaults, in one table. An empty value means "computed": the base URL from the port,
    /// the secret from the development key file, event loops from the core count.
    public static let defaults: [String: String] = [
        "APP_ENV": "development",
        "PROVIDER_HOST": "127.0.0.1",
        "PROVIDER_PORT": "9090",
        "PROVIDER_BASE_URL": "",
        "LOG_LEVEL": "info",
        "TEMPLATES_DIR": "Templates",
        "PUBLIC_DIR": "Public",
        "STATIC_CACHE_CONTROL": "public, max-age=300",
        "EVENT_LOOPS": "",
        "PROVIDER_DATABASE_URL": "sqlite:db/provider.sqlite3",
        "MIGRATIONS_DIR": "db/migrations",
        "PROVIDER_SECRET_KEY": "",
        "PROVIDER_SECRET_KEY_FALLBACKS": "",
        "TRUSTED_PROXIES": "0",
        "PROVIDER_ACCESS_TOKEN_TTL": "3600",
        "PROVIDER_REFRESH_TOKEN_TTL": "2592000",
        "PROVIDER_CODE_TTL": "60",
        "PASSWORD_HASH_COST": "15",
        "LOGIN_MAX_FAILURES": "5",
        "LOGIN_WINDOW_SECONDS": "900",
        "DATABASE_CONNECT_ATTEMPTS": "5",
        "HOUSEKEEPING_INTERVAL": "300",
    ]

    /// Site variables a `PROVIDER_` variable falls back to when it is unset.
    static let fallbacks: [String: String] = [
        "PROVIDER_HOST": "HOST",
        "PROVIDER_PORT": "PORT",
        "PROVIDER_SECRET_KEY": "SECRET_KEY",
        "PROVIDER_SECRET_KEY_FALLBACKS": "SECRET_KEY_FALLBACKS",
    ]

    /// Reads the configuration from `environment` (the process environment, with a `.env`
    /// file's values underneath in development).
    public init(environment env: [String: String]) throws(ConfigurationError) {
        let read = EnvironmentReader(env, defaults: Self.defaults, fallbacks: Self.fallbacks)
        environment = try read.appEnvironment()
        host = read.string("PROVIDER_HOST")
        port = try read.number("PROVIDER_PORT", 0...65535)
        if let base = try read.baseURL("PROVIDER_BASE_URL", example: "https://id.example.com") {
            baseURL = base
        } else if environment == .production {
            throw ConfigurationError(variable: "PROVIDER_BASE_URL", problem: "must be set when APP_ENV=production (the issuer, e.g. https://id.example.com)")
        } else {
            baseURL = "http://127.0.0.1:\(port)"
        }
        logLevel = try read.choice("LOG_LEVEL", Logger.Level.byName)
        templatesDirectory = read.string("TEMPLATES_DIR")
        publicDirectory = read.string("PUBLIC_DIR")
        staticCacheControl = read.string("STATIC_CACHE_CONTROL")
        eventLoops = read.optional("EVENT_LOOPS") == nil ? System.coreCount : try read.number("EVENT_LOOPS", 1...1024)
        databaseURL = read.string("PROVIDER_DATABASE_URL")
        migrationsDirectory = read.string("MIGRATIONS_DIR")
        secretKey = read.optional("PROVIDER_SECRET_KEY")
        secretKeyFallbacks = read.list("PROVIDER_SECRET_KEY_FALLBACKS")
        trustedProxies = try read.number("TRUSTED_PROXIES", 0...16)
        accessTokenTTL = try read.number("PROVIDER_ACCESS_TOKEN_TTL", 60...86_400 * 7)
        refreshTokenTTL = try read.number("PROVIDER_REFRESH_TOKEN_TTL", 60...86_400 * 365)
        authorizationCodeTTL = try read.number("PROVIDER_CODE_TTL", 10...600)
        passwordHashCost = try read.number("PASSWORD_HASH_COST", 8...20)
        loginMaxFailures = try read.number("LOGIN_MAX_FAILURES", 1...1000)
        loginWindow = try read.number("LOGIN_WINDOW_SECONDS", 1...86_400)
        databaseConnectAttempts = try read.number("DATABASE_CONNECT_ATTEMPTS", 1...100)
        housekeepingInterval = try read.number("HOUSEKEEPING_INTERVAL", 10...86_400)
        if environment == .production {
            if secretKey == nil { throw ConfigurationError(variable: "PROVIDER_SECRET_KEY", problem: "(or SECRET_KEY) must be set when APP_ENV=production") }
            if passwordHashCost < 15 { throw ConfigurationError(variable: "PASSWORD_HASH_COST", problem: "must be at least 15 in production") }
        }
    }

    /// Whether pages are served over HTTPS (decides the `Secure` cookie flag and HSTS).
    public var isHTTPS: Bool { baseURL.hasPrefix("https://") }
}
