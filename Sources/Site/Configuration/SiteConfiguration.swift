import Foundation
import Web

/// Everything the site reads from its environment, read once at start-up into one typed value
/// (12-factor). Every default lives in `defaults` below; README's configuration table mirrors it.
public struct SiteConfiguration: Sendable {
    /// Where the process runs; production refuses unsafe defaults.
    public enum Environment: String, Sendable { case development, production, test }

    public var environment: Environment
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
    ]

    /// A configuration error that names the variable at fault.
    public struct Invalid: Error, CustomStringConvertible {
        public let variable: String
        public let problem: String
        public var description: String { "configuration error: \(variable) \(problem)" }
    }

    /// Reads the configuration from `environment` (the process environment, with a `.env` file's
    /// values underneath in development).
    public init(environment env: [String: String]) throws(Invalid) {
        func value(_ key: String) -> String {
            if let set = env[key], !set.isEmpty { return set }
            return Self.defaults[key] ?? ""
        }
        guard let environment = Environment(rawValue: value("APP_ENV")) else {
            throw Invalid(variable: "APP_ENV", problem: "must be development, production or test (got \"\(value("APP_ENV"))\")")
        }
        self.environment = environment
        host = value("HOST")
        guard let port = Int(value("PORT")), (0...65535).contains(port) else {
            throw Invalid(variable: "PORT", problem: "must be a port number (got \"\(value("PORT"))\")")
        }
        self.port = port
        let base = value("BASE_URL")
        if !base.isEmpty {
            guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw Invalid(variable: "BASE_URL", problem: "must be an absolute http(s) URL such as https://latchkey.example.com (got \"\(base)\")")
            }
            baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        } else {
            baseURL = nil
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
        let loops = value("EVENT_LOOPS")
        if loops.isEmpty {
            eventLoops = System.coreCount
        } else {
            guard let count = Int(loops), count > 0 else { throw Invalid(variable: "EVENT_LOOPS", problem: "must be a positive number") }
            eventLoops = count
        }
        databaseURL = value("DATABASE_URL")
        migrationsDirectory = value("MIGRATIONS_DIR")
        secretKey = value("SECRET_KEY").isEmpty ? nil : value("SECRET_KEY")
        secretKeyFallbacks = value("SECRET_KEY_FALLBACKS").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func number(_ key: String, _ range: ClosedRange<Int>) throws(Invalid) -> Int {
            guard let n = Int(value(key)), range.contains(n) else {
                throw Invalid(variable: key, problem: "must be a whole number in \(range.lowerBound)...\(range.upperBound) (got \"\(value(key))\")")
            }
            return n
        }
        trustedProxies = try number("TRUSTED_PROXIES", 0...16)
        loginMaxFailures = try number("LOGIN_MAX_FAILURES", 1...1000)
        loginWindow = try number("LOGIN_WINDOW_SECONDS", 1...86_400)
        passwordHashCost = try number("PASSWORD_HASH_COST", 8...20)
        apiTokenLifetime = try number("API_TOKEN_TTL", 60...31_536_000)
        apiRateLimit = try number("API_RATE_LIMIT", 1...100_000)
        autoLinkVerifiedEmails = ["1", "true", "yes"].contains(value("AUTO_LINK_VERIFIED_EMAILS").lowercased())
        guard let connect = Double(value("HTTP_CONNECT_TIMEOUT")), connect > 0, let total = Double(value("HTTP_TIMEOUT")), total > 0 else {
            throw Invalid(variable: "HTTP_TIMEOUT", problem: "and HTTP_CONNECT_TIMEOUT must be positive numbers of seconds")
        }
        httpConnectTimeout = connect
        httpTimeout = total
        databaseConnectAttempts = try number("DATABASE_CONNECT_ATTEMPTS", 1...100)
        providerEnvironment = env
        forceHTTPS = ["1", "true", "yes"].contains(value("FORCE_HTTPS").lowercased())
        if forceHTTPS && trustedProxies == 0 {
            // Without a trusted proxy's X-Forwarded-Proto every request looks like plain HTTP, and
            // the redirect would loop forever.
            throw Invalid(variable: "FORCE_HTTPS", problem: "needs TRUSTED_PROXIES (the TLS-terminating proxy that sets X-Forwarded-Proto)")
        }
        shutdownGracePeriod = environment == .production ? 25 : 10
        if environment == .production {
            if secretKey == nil { throw Invalid(variable: "SECRET_KEY", problem: "must be set when APP_ENV=production (a long random string)") }
            if baseURL == nil { throw Invalid(variable: "BASE_URL", problem: "must be set when APP_ENV=production (the public origin, e.g. https://latchkey.example.com)") }
            if passwordHashCost < 15 { throw Invalid(variable: "PASSWORD_HASH_COST", problem: "must be at least 15 in production") }
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
