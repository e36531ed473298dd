import Identity
import Security
import Storage
import Web

/// What both apps open the same way at start-up: the database (migrated: the app's set, then the
/// identity core's), the key ring from the secret (or, in development, a generated one kept in
/// a git-ignored file), the clock, credentials, the session store and housekeeping. Each app's
/// services hold one and add their own.
public struct CoreServices: Sendable {
    /// The app's database.
    public let database: any Database
    /// The key ring derived from the secret key.
    public let keys: KeyRing
    /// Where every service reads the time.
    public let clock: Clock
    /// Password hashing and the sign-in throttle.
    public let credentials: Credentials
    /// Browser sessions.
    public let sessions: DatabaseSessionStore
    /// The sweep of expired rows (`startHousekeeping` runs it).
    public let housekeeping: Housekeeping
    let housekeepingInterval: Int
    /// Outbound mail, written with the events that cause it; nil when `EMAIL_URL=off`.
    public let outbox: Outbox?
    /// How the outbox's messages go out (nil when mail is off, or for the log in development).
    let mail: MailSetting

    /// Which app is opening, for its migrations folder and its development secret.
    public struct App: Sendable {
        /// The migrations folder under `MIGRATIONS_DIR` (`site`, `provider`).
        public var migrations: String
        /// Where development keeps a generated secret.
        public var developmentSecretPath: String
        /// What to tell the developer when that secret is generated.
        public var secretVariables: String
        /// Reads the app's signed-in user with each session (see `DatabaseSessionStore`).
        public var sessionOwner: DatabaseSessionStore.OwnerLoader?

        /// An app description.
        public init(migrations: String, developmentSecretPath: String, secretVariables: String,
                    sessionOwner: DatabaseSessionStore.OwnerLoader? = nil) {
            self.migrations = migrations
            self.developmentSecretPath = developmentSecretPath
            self.secretVariables = secretVariables
            self.sessionOwner = sessionOwner
        }
    }

    /// Opens the core services for `app` and hands them to `build`, which makes the app's own.
    /// Anything that fails (migration, secret, `build`) closes the database before it is thrown.
    public static func open<Services>(_ settings: AppSettings, app: App, chores: [Housekeeping.Chore], migrate: Bool, logger: Logger,
                                      clock: Clock, _ build: (CoreServices) async throws -> Services) async throws -> Services {
        let database = try await openDatabase(settings)
        do {
            if migrate {
                try await Schema.migrateAtStartup(database, directory: settings.migrationsDirectory, app: app.migrations,
                                                  attempts: settings.databaseConnectAttempts) { warning, line in
                    warning ? logger.warning(line) : logger.info(line)
                }
            }
            let secret: String
            if let configured = settings.secretKey {
                secret = configured
            } else {
                let (generated, created) = try DevelopmentSecret.load(path: app.developmentSecretPath)
                if created {
                    logger.warning("\(app.secretVariables) not set: generated a secret in \(app.developmentSecretPath) for development (set one in production)")
                }
                secret = generated
            }
            let credentials = Credentials(database: database, hasher: PasswordHasher(logN: settings.passwordHashCost),
                                          throttle: settings.throttle, clock: clock, hashConcurrency: settings.passwordHashConcurrency)
            let keys = KeyRing(secret: secret, fallbacks: settings.secretKeyFallbacks)
            let core = CoreServices(database: database, keys: keys, clock: clock,
                                    credentials: credentials, sessions: DatabaseSessionStore(database: database, owner: app.sessionOwner),
                                    housekeeping: Housekeeping(database: database, clock: clock, throttle: credentials.throttle, extra: chores),
                                    housekeepingInterval: settings.housekeepingInterval,
                                    outbox: settings.mail == .off ? nil : Outbox(keys: keys, from: settings.mailFrom, clock: clock),
                                    mail: settings.mail)
            return try await build(core)
        } catch {
            database.close()
            throw error
        }
    }

    /// Opens the app's database; with a `databaseSchema`, creates that schema first if missing
    /// (the app's own schema in a shared database) and opens the database pointed at it.
    public static func openDatabase(_ settings: AppSettings) async throws -> any Database {
        if let schema = settings.databaseSchema {
            let admin = try Storage.openDatabase(url: settings.databaseURL)
            defer { admin.close() }
            try await admin.write { db in _ = try db.execute("CREATE SCHEMA IF NOT EXISTS \(schema)") }
        }
        return try Storage.openDatabase(url: settings.schemaDatabaseURL)
    }

    /// Sweeps expired rows now and every `HOUSEKEEPING_INTERVAL` seconds, until cancelled.
    public func startHousekeeping(logger: Logger) -> Task<Void, Never> {
        let housekeeping = housekeeping, interval = housekeepingInterval
        return Task { await housekeeping.run(every: interval) { logger.info($0) } }
    }

    /// Sends the outbox's due messages every second until cancelled (nothing when mail is off).
    public func startMailDelivery(logger: Logger, transport: (any MailTransport)? = nil) -> Task<Void, Never>? {
        guard let outbox, let transport = transport ?? Self.transport(for: mail, logger: logger) else { return nil }
        let database = database
        return Task { await outbox.run(database: database, every: 1, report: { logger.warning($0) }, send: transport.outboxSender) }
    }

    /// The transport `setting` names.
    public static func transport(for setting: MailSetting, logger: Logger) -> (any MailTransport)? {
        switch setting {
        case .smtp(let server): CurlSMTPTransport(server: server)
        case .console: ConsoleMailTransport(logger: logger)
        case .off: nil
        }
    }

    /// Closes the database.
    public func close() { database.close() }
}
