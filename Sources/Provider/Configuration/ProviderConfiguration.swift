import Foundation
import Web

/// Everything the provider reads from its environment, read once at start-up into one typed
/// value (12-factor). Every default lives in `defaults`; docs/provider.md mirrors the table.
///
/// The provider runs beside the site, often from the same environment, so a few settings fall
/// back to the site's variable when the `PROVIDER_` one is unset (`PROVIDER_PORT`, then `PORT`).
public struct ProviderConfiguration: Sendable {
    /// Where the process runs; production refuses unsafe defaults.
    public enum Environment: String, Sendable { case development, production, test }

    /// `APP_ENV`.
    public var environment: Environment
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
    ]

    /// Site variables a `PROVIDER_` variable falls back to when it is unset.
    static let fallbacks: [String: String] = [
        "PROVIDER_HOST": "HOST",
        "PROVIDER_PORT": "PORT",
        "PROVIDER_SECRET_KEY": "SECRET_KEY",
        "PROVIDER_SECRET_KEY_FALLBACKS": "SECRET_KEY_FALLBACKS",
    ]

    /// A configuration error that names the variable at fault.
    public struct Invalid: Error, CustomStringConvertible {
        /// The environment variable at fault.
        public let variable: String
        /// What is wrong with it.
        public let problem: String
        public var description: String { "configuration error: \(variable) \(problem)" }
    }

    /// Reads the configuration from `environment` (the process environment, with a `.env`
    /// file's values underneath in development).
    public init(environment env: [String: String]) throws(Invalid) {
        func value(_ key: String) -> String {
            if let set = env[key], !set.isEmpty { return set }
            if let site = Self.fallbacks[key], let set = env[site], !set.isEmpty { return set }
            return Self.defaults[key] ?? ""
        }
        func number(_ key: String, _ range: ClosedRange<Int>) throws(Invalid) -> Int {
            guard let n = Int(value(key)), range.contains(n) else {
                throw Invalid(variable: key, problem: "must be a whole number in \(range.lowerBound)...\(range.upperBound) (got \"\(value(key))\")")
            }
            return n
        }
        guard let environment = Environment(rawValue: value("APP_ENV")) else {
            throw Invalid(variable: "APP_ENV", problem: "must be development, production or test (got \"\(value("APP_ENV"))\")")
        }
        self.environment = environment
        host = value("PROVIDER_HOST")
        port = try number("PROVIDER_PORT", 0...65535)
        let base = value("PROVIDER_BASE_URL")
        if base.isEmpty {
            if environment == .production {
                throw Invalid(variable: "PROVIDER_BASE_URL", problem: "must be set when APP_ENV=production (the issuer, e.g. https://id.example.com)")
            }
            baseURL = "http://127.0.0.1:\(port)"
        } else {
            guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
                  url.query == nil, url.fragment == nil else {
                throw Invalid(variable: "PROVIDER_BASE_URL", problem: "must be an absolute http(s) URL without query or fragment, such as https://id.example.com (got \"\(base)\")")
            }
            baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        switch value("LOG_LEVEL") {
        case "debug": logLevel = .debug
        case "info": logLevel = .info
        case "warning": logLevel = .warning
        case "error": logLevel = .error
        default: throw Invalid(variable: "LOG_LEVEL", problem: "must be debug, info, warning or error")
        }
        templatesDirectory = value("TEMPLATES_DIR")
        publicDirectory = value("PUBLIC_DIR")
        staticCacheControl = value("STATIC_CACHE_CONTROL")
        eventLoops = value("EVENT_LOOPS").isEmpty ? System.coreCount : try number("EVENT_LOOPS", 1...1024)
        databaseURL = value("PROVIDER_DATABASE_URL")
        migrationsDirectory = value("MIGRATIONS_DIR")
        secretKey = value("PROVIDER_SECRET_KEY").isEmpty ? nil : value("PROVIDER_SECRET_KEY")
        secretKeyFallbacks = value("PROVIDER_SECRET_KEY_FALLBACKS").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        trustedProxies = try number("TRUSTED_PROXIES", 0...16)
        accessTokenTTL = try number("PROVIDER_ACCESS_TOKEN_TTL", 60...86_400 * 7)
        refreshTokenTTL = try number("PROVIDER_REFRESH_TOKEN_TTL", 60...86_400 * 365)
        authorizationCodeTTL = try number("PROVIDER_CODE_TTL", 10...600)
        passwordHashCost = try number("PASSWORD_HASH_COST", 8...20)
        loginMaxFailures = try number("LOGIN_MAX_FAILURES", 1...1000)
        loginWindow = try number("LOGIN_WINDOW_SECONDS", 1...86_400)
        if environment == .production {
            if secretKey == nil { throw Invalid(variable: "PROVIDER_SECRET_KEY", problem: "(or SECRET_KEY) must be set when APP_ENV=production") }
            if passwordHashCost < 15 { throw Invalid(variable: "PASSWORD_HASH_COST", problem: "must be at least 15 in production") }
        }
    }

    /// Whether pages are served over HTTPS (decides the `Secure` cookie flag and HSTS).
    public var isHTTPS: Bool { baseURL.hasPrefix("https://") }
}
