import Accounts
import Foundation
import Identity
import IdentityWeb
import Security
import Storage
import Web

/// The long-lived things the site's controllers use: the database, the key ring and the
/// account services. Opened once at start-up (by `serve` and by tests), then shared.
public struct SiteServices: Sendable {
    public let configuration: SiteConfiguration
    public let database: any Database
    public let keys: KeyRing
    /// Where every service reads the time.
    public let clock: Clock
    /// Password hashing and the sign-in throttle (the identity core's).
    public let credentials: Credentials
    public let accounts: AccountService
    public let sessions: DatabaseSessionStore
    public let social: SocialAuthService
    /// What administrators do to users, each with its audit row.
    public let admin: AdminService
    /// The sweep of expired rows (`startHousekeeping` runs it).
    public let housekeeping: Housekeeping

    /// Opens the database, applies pending migrations (if `migrate`), and builds the services.
    public static func open(_ configuration: SiteConfiguration, migrate: Bool = true, logger: Logger = Logger(),
                            clock: Clock = .system) async throws -> SiteServices {
        let database = try openDatabase(url: configuration.databaseURL)
        do {
            if migrate {
                try await Schema.migrateAtStartup(database, directory: configuration.migrationsDirectory, app: "site",
                                                  attempts: configuration.databaseConnectAttempts) { warning, line in
                    warning ? logger.warning(line) : logger.info(line)
                }
            }
            let secret = try configuration.secretKey ?? developmentSecret(logger: logger)
            let keys = KeyRing(secret: secret, fallbacks: configuration.secretKeyFallbacks)
            let credentials = Credentials(database: database, hasher: PasswordHasher(logN: configuration.passwordHashCost),
                                          throttle: SignInThrottle(maxFailures: configuration.loginMaxFailures, window: configuration.loginWindow),
                                          clock: clock)
            let http = CurlHTTPClient(connectTimeout: configuration.httpConnectTimeout, totalTimeout: configuration.httpTimeout)
            let registry = ProviderRegistry(environment: configuration.providerEnvironment, http: http)
            let social = SocialAuthService(database: database, registry: registry, keys: keys,
                                           autoLinkVerifiedEmails: configuration.autoLinkVerifiedEmails)
            let housekeeping = Housekeeping(database: database, clock: clock, throttle: credentials.throttle, extra: SiteChores.all)
            return SiteServices(configuration: configuration, database: database, keys: keys, clock: clock, credentials: credentials,
                                accounts: AccountService(database: database, credentials: credentials, clock: clock),
                                sessions: DatabaseSessionStore(database: database), social: social,
                                admin: AdminService(database: database, social: social, clock: clock), housekeeping: housekeeping)
        } catch {
            database.close()
            throw error
        }
    }

    /// Sweeps expired rows now and every `HOUSEKEEPING_INTERVAL` seconds, until cancelled.
    public func startHousekeeping(logger: Logger) -> Task<Void, Never> {
        let housekeeping = housekeeping, interval = configuration.housekeepingInterval
        return Task { await housekeeping.run(every: interval) { logger.info($0) } }
    }

    /// In development, a secret generated once and kept in `db/secret_key` (git-ignored), so
    /// sessions and encrypted tokens survive restarts without any configuration.
    static func developmentSecret(logger: Logger) throws -> String {
        let path = "db/secret_key"
        let (secret, created) = try DevelopmentSecret.load(path: path)
        if created { logger.warning("SECRET_KEY is not set: generated one in \(path) for development (set SECRET_KEY in production)") }
        return secret
    }
}

extension SiteServices {
    /// Logs each provider as enabled (with the callback URL to register with it) or disabled
    /// with the reason, so "works on localhost, fails in production" shows up at start-up.
    public func logProviders(_ logger: Logger) {
        let origin = configuration.baseURL ?? "http://\(configuration.host):\(configuration.port)"
        for entry in social.registry.entries {
            if entry.isEnabled {
                logger.info("provider=\(entry.id) enabled callback_url=\(SocialController.callbackURL(origin: origin, provider: entry.id))")
            } else {
                logger.info("provider=\(entry.id) disabled reason=\"\(entry.disabledReason ?? "")\"")
            }
        }
        if configuration.baseURL == nil {
            logger.info("BASE_URL is not set: callback URLs are built from each request's Host header (set BASE_URL in production)")
        }
    }
}
