import Foundation
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
    public let clock: ProviderClock
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

    /// Why the services could not be opened.
    public enum OpenError: Error, CustomStringConvertible {
        case secretKeyFile(String)
        public var description: String {
            switch self {
            case .secretKeyFile(let detail): "cannot read or create the development secret key: \(detail)"
            }
        }
    }

    /// Opens the database, applies pending migrations (if `migrate`), loads (or creates) the
    /// signing key and builds the services.
    public static func open(_ configuration: ProviderConfiguration, migrate: Bool = true, logger: Logger = Logger(),
                            clock: ProviderClock = .system) async throws -> ProviderServices {
        let database = try openDatabase(url: configuration.databaseURL)
        do {
            if migrate {
                let migrator = try Migrator(directory: configuration.migrationsDirectory + "/provider")
                for migration in try await migrator.migrate(database) {
                    logger.info("applied provider migration \(migration.version) \(migration.name)")
                }
            }
            let secret = try configuration.secretKey ?? developmentSecret(logger: logger)
            let keys = KeyRing(secret: secret, fallbacks: configuration.secretKeyFallbacks)
            let signingKeys = try await SigningKeys.load(database: database, keys: keys, now: clock.now())
            let users = UserService(database: database, hasher: PasswordHasher(logN: configuration.passwordHashCost),
                                    throttle: LoginThrottle(maxFailures: configuration.loginMaxFailures, window: configuration.loginWindow),
                                    clock: clock)
            let lifetimes = TokenLifetimes(accessToken: configuration.accessTokenTTL, refreshToken: configuration.refreshTokenTTL,
                                           authorizationCode: configuration.authorizationCodeTTL)
            let issuer = IDTokenIssuer(issuer: configuration.baseURL, keys: signingKeys, lifetime: configuration.accessTokenTTL)
            return ProviderServices(
                configuration: configuration, database: database, keys: keys, clock: clock, users: users,
                clients: ClientRegistry(database: database, clock: clock), consents: ConsentStore(database: database, clock: clock),
                tokens: TokenService(database: database, clock: clock, lifetimes: lifetimes, idTokens: issuer, users: users),
                signingKeys: signingKeys, sessions: DatabaseSessionStore(database: database))
        } catch {
            database.close()
            throw error
        }
    }

    /// Closes the database.
    public func close() { database.close() }

    /// In development, a secret generated once and kept in `db/provider_secret_key`
    /// (git-ignored), so sessions and the signing key survive restarts without configuration.
    static func developmentSecret(logger: Logger) throws -> String {
        let path = "db/provider_secret_key"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           existing.count >= 32 {
            return existing
        }
        let secret = SecureRandom.token(byteCount: 48)
        do {
            try FileManager.default.createDirectory(atPath: "db", withIntermediateDirectories: true)
        } catch {
            throw OpenError.secretKeyFile("\(error)")
        }
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw OpenError.secretKeyFile("could not write \(path)")
        }
        logger.warning("PROVIDER_SECRET_KEY and SECRET_KEY are not set: generated one in \(path) for development (set one in production)")
        return secret
    }
}
