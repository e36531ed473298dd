import Foundation
import Identity
import IdentityWeb
import Security
import Storage
import Web

/// The long-lived things the provider's controllers use: its database, key ring, signing keys
/// and services. Opened once at start-up (by `latchkey provider`, the CLI and tests), then shared.
public struct ProviderServices: Sendable {
    /// The configuration the services were opened with.
    public let configuration: ProviderConfiguration
    /// The provider's own database.
    public let database: any Database
    /// The key ring derived from the secret key.
    public let keys: KeyRing
    /// Where every service reads the time.
    public let clock: Clock
    /// Password hashing and the sign-in throttle (the identity core's).
    public let credentials: Credentials
    /// Provider users: sign-up, sign-in, creation.
    public let users: UserService
    /// The client registry.
    public let clients: ClientRegistry
    /// What users have allowed which clients.
    public let consents: ConsentStore
    /// Codes and tokens.
    public let tokens: TokenService
    /// The id_token signing keys.
    public let signingKeys: SigningKeys
    /// Browser sessions.
    public let sessions: DatabaseSessionStore
    /// The sweep of expired rows (`startHousekeeping` runs it).
    public let housekeeping: Housekeeping

    /// Opens the database, applies pending migrations (if `migrate`), loads (or creates) the
    /// signing key and builds the services.
    public static func open(_ configuration: ProviderConfiguration, migrate: Bool = true, logger: Logger = Logger(),
                            clock: Clock = .system) async throws -> ProviderServices {
        let database = try openDatabase(url: configuration.databaseURL)
        do {
            if migrate {
                try await Schema.migrateAtStartup(database, directory: configuration.migrationsDirectory, app: "provider",
                                                  attempts: configuration.databaseConnectAttempts) { warning, line in
                    warning ? logger.warning(line) : logger.info(line)
                }
            }
            let secret = try configuration.secretKey ?? developmentSecret(logger: logger)
            let keys = KeyRing(secret: secret, fallbacks: configuration.secretKeyFallbacks)
            let signingKeys = try await SigningKeys.load(database: database, keys: keys, now: clock.now())
            let credentials = Credentials(database: database, hasher: PasswordHasher(logN: configuration.passwordHashCost),
                                          throttle: SignInThrottle(maxFailures: configuration.loginMaxFailures, window: configuration.loginWindow),
                                          clock: clock)
            let users = UserService(database: database, credentials: credentials, clock: clock)
            let lifetimes = TokenLifetimes(accessToken: configuration.accessTokenTTL, refreshToken: configuration.refreshTokenTTL,
                                           authorizationCode: configuration.authorizationCodeTTL)
            let issuer = IDTokenIssuer(issuer: configuration.baseURL, keys: signingKeys, lifetime: configuration.accessTokenTTL)
            return ProviderServices(
                configuration: configuration, database: database, keys: keys, clock: clock, credentials: credentials, users: users,
                clients: ClientRegistry(database: database, clock: clock), consents: ConsentStore(database: database, clock: clock),
                tokens: TokenService(database: database, clock: clock, lifetimes: lifetimes, idTokens: issuer, users: users),
                signingKeys: signingKeys, sessions: DatabaseSessionStore(database: database),
                housekeeping: Housekeeping(database: database, clock: clock, throttle: credentials.throttle, extra: ProviderChores.all))
        } catch {
            database.close()
            throw error
        }
    }

    /// Closes the database.
    public func close() { database.close() }

    /// Sweeps expired rows now and every `HOUSEKEEPING_INTERVAL` seconds, until cancelled.
    public func startHousekeeping(logger: Logger) -> Task<Void, Never> {
        let housekeeping = housekeeping, interval = configuration.housekeepingInterval
        return Task { await housekeeping.run(every: interval) { logger.info($0) } }
    }

    /// In development, a secret generated once and kept in `db/provider_secret_key`
    /// (git-ignored), so sessions and the signing key survive restarts without configuration.
    static func developmentSecret(logger: Logger) throws -> String {
        let path = "db/provider_secret_key"
        let (secret, created) = try DevelopmentSecret.load(path: path)
        if created { logger.warning("PROVIDER_SECRET_KEY and SECRET_KEY are not set: generated one in \(path) for development (set one in production)") }
        return secret
    }
}
