import Identity
import Web

/// What every Latchkey app reads from its environment the same way: where it runs and listens,
/// its templates and static files, its database and secret, proxies, password cost, sign-in
/// limits and housekeeping. The site and the provider each add their own settings around it
/// (`SiteConfiguration`, `ProviderConfiguration`) and reach these through dynamic member lookup.
public struct AppSettings: Sendable {
    /// The variables whose names differ between apps (the provider's are `PROVIDER_`-prefixed, so
    /// both can run from one environment).
    public struct Names: Sendable {
        public var host: String
        public var port: String
        public var databaseURL: String
        /// The variable naming a PostgreSQL schema for the app's tables (none: the URL's own).
        public var databaseSchema: String
        public var secretKey: String
        public var secretKeyFallbacks: String
        /// Added to the "must be set in production" message (the provider also accepts SECRET_KEY).
        public var secretKeyHint: String

        /// Names for an app whose variables differ from the site's.
        public init(host: String, port: String, databaseURL: String, databaseSchema: String, secretKey: String, secretKeyFallbacks: String,
                    secretKeyHint: String) {
            self.host = host
            self.port = port
            self.databaseURL = databaseURL
            self.databaseSchema = databaseSchema
            self.secretKey = secretKey
            self.secretKeyFallbacks = secretKeyFallbacks
            self.secretKeyHint = secretKeyHint
        }

        /// The site's names: `HOST`, `PORT`, `DATABASE_URL`, `SECRET_KEY`, `SECRET_KEY_FALLBACKS`.
        public static let site = Names(host: "HOST", port: "PORT", databaseURL: "DATABASE_URL", databaseSchema: "DATABASE_SCHEMA",
                                       secretKey: "SECRET_KEY", secretKeyFallbacks: "SECRET_KEY_FALLBACKS", secretKeyHint: "(a long random string)")
    }

    /// The defaults both apps share; each app's own table adds its names' defaults.
    public static let defaults: [String: String] = [
        "APP_ENV": "development",
        "LOG_LEVEL": "info",
        "TEMPLATES_DIR": "Templates",
        "PUBLIC_DIR": "Public",
        "STATIC_CACHE_CONTROL": "public, max-age=300",
        "EVENT_LOOPS": "",
        "MIGRATIONS_DIR": "db/migrations",
        "TRUSTED_PROXIES": "0",
        "PASSWORD_HASH_COST": "15",
        "LOGIN_MAX_FAILURES": "5",
        "LOGIN_WINDOW_SECONDS": "900",
        "LOGIN_MAX_FAILURES_PER_IP": "",
        "LOGIN_ACCOUNT_SLOWDOWN_AFTER": "",
        "PASSWORD_HASH_CONCURRENCY": "",
        "SIGNUP_RATE_LIMIT": "10",
        "MAX_CONNECTIONS": "10000",
        "DATABASE_CONNECT_ATTEMPTS": "5",
        "HOUSEKEEPING_INTERVAL": "300",
    ]

    /// `APP_ENV`: production refuses unsafe defaults.
    public var environment: AppEnvironment
    /// The address to listen on.
    public var host: String
    /// The port to listen on.
    public var port: Int
    /// The lowest level written to the log.
    public var logLevel: Logger.Level
    /// Folder of Mustache templates.
    public var templatesDirectory: String
    /// Folder served as static files at `/`.
    public var publicDirectory: String
    /// `Cache-Control` for static files.
    public var staticCacheControl: String
    /// Event loops (threads running epoll); one per core by default.
    public var eventLoops: Int
    /// `sqlite:path`, a bare path, or `postgres://…`.
    public var databaseURL: String
    /// A PostgreSQL schema for the app's tables, created if missing; nil keeps the URL's own.
    /// This is how the site and the provider share one database: each in a schema of its own,
    /// so their tables and migration records never meet.
    public var databaseSchema: String?
    /// Where migrations live (the app's folder and `identity/` inside it).
    public var migrationsDirectory: String
    /// The master secret; nil in development means "use (or create) the development key file".
    public var secretKey: String?
    /// Older secrets still accepted for reading, during a key rotation.
    public var secretKeyFallbacks: [String]
    /// How many proxies in front of us append to `X-Forwarded-For` (0: trust none).
    public var trustedProxies: Int
    /// scrypt cost as log2(N); 15 in production, lower only in tests.
    public var passwordHashCost: Int
    /// Failed sign-ins allowed per account and per IP within `loginWindow` seconds.
    public var loginMaxFailures: Int
    /// The window, in seconds, over which failures are counted.
    public var loginWindow: Int
    /// Failed sign-ins allowed per address across accounts (ten times `loginMaxFailures` unless set).
    public var loginMaxFailuresPerIP: Int
    /// Failures per account across addresses after which its checks are slowed (four times
    /// `loginMaxFailures` unless set).
    public var loginAccountSlowdownAfter: Int
    /// Password hashes computed at once (scrypt at cost 15: 32 MiB each; 4 fit a 512 MB instance).
    /// Unset: the cores this process may use, at most 4. A hash keeps a core busy for its whole
    /// length, so more at once than there are cores adds memory and latency to every sign-in and
    /// no throughput (on one core, four at a time each take four times as long).
    public var passwordHashConcurrency: Int
    /// Open connections the server accepts at once; past it new ones wait in the listen backlog.
    public var maxConnections: Int
    /// How mail goes out (`EMAIL_URL`).
    public var mail: MailSetting
    /// The `From` of every message (`EMAIL_FROM`, with a display name).
    public var mailFrom: MailAddress
    /// Accounts that may be created from one address per hour (forms only; the CLI is not limited).
    public var signUpRateLimit: Int
    /// How many times start-up tries an unreachable database before giving up.
    public var databaseConnectAttempts: Int
    /// Seconds between sweeps of expired rows.
    public var housekeepingInterval: Int

    /// Whether `name` can be a schema name as we use them (no quoting needed).
    public static func isSchemaName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 0x61 && first <= 0x7A || first == 0x5F, name.utf8.count <= 63 else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    /// The URL the app's database is opened with: `databaseURL`, pointed at `databaseSchema`.
    public var schemaDatabaseURL: String {
        guard let databaseSchema else { return databaseURL }
        return databaseURL + (databaseURL.contains("?") ? "&" : "?") + "options=-c%20search_path%3D" + databaseSchema
    }

    /// The sign-in throttle these settings describe.
    public var throttle: SignInThrottle {
        SignInThrottle(maxFailures: loginMaxFailures, window: loginWindow, maxFailuresPerIP: loginMaxFailuresPerIP,
                       accountSlowdownAfter: loginAccountSlowdownAfter)
    }

    /// The sign-up limit these settings describe.
    public var signUpLimit: RateLimit { RateLimit("signup", limit: signUpRateLimit, window: 3600) }

    /// The shortest `SECRET_KEY` production accepts: keys and signatures derive from it.
    public static let minimumSecretLength = 32

    /// `PASSWORD_HASH_CONCURRENCY` when unset: one hash per core, at most 4.
    public static func defaultHashConcurrency(cores: Int) -> Int { min(4, max(1, cores)) }

    /// Reads the shared settings, under the app's `names`, adding what is wrong to `problems`.
    public init(_ read: EnvironmentReader, names: Names, problems: inout ConfigurationProblems) {
        environment = problems.read(.development) { () throws(ConfigurationError) in try read.appEnvironment() }
        host = read.string(names.host)
        port = problems.read(0) { () throws(ConfigurationError) in try read.number(names.port, 0...65535) }
        logLevel = problems.read(.info) { () throws(ConfigurationError) in try read.choice("LOG_LEVEL", Logger.Level.byName) }
        templatesDirectory = read.string("TEMPLATES_DIR")
        publicDirectory = read.string("PUBLIC_DIR")
        staticCacheControl = read.string("STATIC_CACHE_CONTROL")
        eventLoops = read.optional("EVENT_LOOPS") == nil
            ? System.coreCount : problems.read(1) { () throws(ConfigurationError) in try read.number("EVENT_LOOPS", 1...1024) }
        databaseURL = read.string(names.databaseURL)
        databaseSchema = read.optional(names.databaseSchema)
        if let schema = databaseSchema {
            if !Self.isSchemaName(schema) {
                problems.add(names.databaseSchema, "must be a lowercase PostgreSQL identifier (letters, digits, underscores) (got \"\(schema)\")")
            } else if !databaseURL.hasPrefix("postgres") {
                problems.add(names.databaseSchema, "needs a postgres:// \(names.databaseURL) (SQLite has no schemas: use another file)")
            }
        }
        migrationsDirectory = read.string("MIGRATIONS_DIR")
        secretKey = read.optional(names.secretKey)
        secretKeyFallbacks = read.list(names.secretKeyFallbacks)
        func number(_ key: String, _ range: ClosedRange<Int>) -> Int {
            problems.read(range.lowerBound) { () throws(ConfigurationError) in try read.number(key, range) }
        }
        trustedProxies = number("TRUSTED_PROXIES", 0...16)
        passwordHashCost = number("PASSWORD_HASH_COST", 8...20)
        loginMaxFailures = number("LOGIN_MAX_FAILURES", 1...1000)
        loginWindow = number("LOGIN_WINDOW_SECONDS", 1...86_400)
        loginMaxFailuresPerIP = read.optional("LOGIN_MAX_FAILURES_PER_IP") == nil
            ? loginMaxFailures * 10 : number("LOGIN_MAX_FAILURES_PER_IP", 1...100_000)
        loginAccountSlowdownAfter = read.optional("LOGIN_ACCOUNT_SLOWDOWN_AFTER") == nil
            ? loginMaxFailures * 4 : number("LOGIN_ACCOUNT_SLOWDOWN_AFTER", 1...100_000)
        passwordHashConcurrency = read.optional("PASSWORD_HASH_CONCURRENCY") == nil
            ? Self.defaultHashConcurrency(cores: System.coreCount) : number("PASSWORD_HASH_CONCURRENCY", 1...256)
        signUpRateLimit = number("SIGNUP_RATE_LIMIT", 1...100_000)
        maxConnections = number("MAX_CONNECTIONS", 1...1_000_000)
        mail = MailSetting.read(read, problems: &problems)
        if let from = MailAddress(parsing: read.string("EMAIL_FROM", default: "Latchkey <no-reply@latchkey.invalid>")) {
            mailFrom = from
        } else {
            problems.add("EMAIL_FROM", "must be an address, optionally with a name: Latchkey <no-reply@example.com>")
            mailFrom = MailAddress("no-reply@latchkey.invalid")
        }
        databaseConnectAttempts = number("DATABASE_CONNECT_ATTEMPTS", 1...100)
        housekeepingInterval = number("HOUSEKEEPING_INTERVAL", 10...86_400)
        if environment == .production {
            if let secretKey {
                if secretKey.count < Self.minimumSecretLength {
                    problems.add(names.secretKey, "must be at least \(Self.minimumSecretLength) characters when APP_ENV=production (a long random string, e.g. openssl rand -base64 48)")
                }
            } else {
                problems.add(names.secretKey, "\(names.secretKeyHint) must be set when APP_ENV=production")
            }
            if passwordHashCost < 15 { problems.add("PASSWORD_HASH_COST", "must be at least 15 in production") }
            if read.optional("EMAIL_URL") == nil {
                problems.add("EMAIL_URL", "must be set when APP_ENV=production (smtp://user:password@host:587, smtps://host:465, or off)")
            } else if mail == .console {
                // The log would hold every reset link and code in clear.
                problems.add("EMAIL_URL", "cannot be console: when APP_ENV=production (it prints reset links and codes to the log)")
            }
        }
    }
}
