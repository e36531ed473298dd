import Accounts
import Foundation
import Security
import Storage
import Web

/// The long-lived things the site's controllers use: the database, the key ring and the
/// account services. Opened once at start-up (by `serve` and by tests), then shared.
public struct SiteServices: Sendable {
    public let configuration: SiteConfiguration
    public let database: any Database
    public let keys: KeyRing
    public let accounts: AccountService
    public let sessions: DatabaseSessionStore
    public let social: SocialAuthService

    /// Why the services could not be opened.
    public enum OpenError: Error, CustomStringConvertible {
        case secretKeyFile(String)
        public var description: String {
            switch self {
            case .secretKeyFile(let detail): "cannot read or create the development secret key: \(detail)"
            }
        }
    }

    /// Opens the database, applies pending migrations (if `migrate`), and builds the services.
    public static func open(_ configuration: SiteConfiguration, migrate: Bool = true, logger: Logger = Logger()) async throws -> SiteServices {
        let database = try openDatabase(url: configuration.databaseURL)
        if migrate {
            let migrator = try Migrator(directory: configuration.migrationsDirectory + "/site")
            let applied = try await retryingWhileUnavailable(attempts: configuration.databaseConnectAttempts, logger: logger) {
                try await migrator.migrate(database)
            }
            for migration in applied { logger.info("applied migration \(migration.version) \(migration.name)") }
        }
        let secret = try configuration.secretKey ?? developmentSecret(near: configuration.databaseURL, logger: logger)
        let keys = KeyRing(secret: secret, fallbacks: configuration.secretKeyFallbacks)
        let accounts = AccountService(database: database, hasher: PasswordHasher(logN: configuration.passwordHashCost),
                                      throttle: LoginThrottle(maxFailures: configuration.loginMaxFailures, window: configuration.loginWindow))
        let http = CurlHTTPClient(connectTimeout: configuration.httpConnectTimeout, totalTimeout: configuration.httpTimeout)
        let registry = ProviderRegistry(environment: configuration.providerEnvironment, http: http)
        let social = SocialAuthService(database: database, registry: registry, keys: keys,
                                       autoLinkVerifiedEmails: configuration.autoLinkVerifiedEmails)
        return SiteServices(configuration: configuration, database: database, keys: keys, accounts: accounts,
                            sessions: DatabaseSessionStore(database: database), social: social)
    }

    /// Runs `body`, retrying with a growing pause (1, 2, 4… s, at most 10) while the database is
    /// unreachable: on a platform the database may come up a little after the web process.
    static func retryingWhileUnavailable<T>(attempts: Int, logger: Logger, _ body: () async throws -> T) async throws -> T {
        var pause = 1.0
        for attempt in 1...max(1, attempts) {
            do {
                return try await body()
            } catch DatabaseError.unavailable(let reason) where attempt < attempts {
                logger.warning("database unreachable (attempt \(attempt) of \(attempts)): \(reason); retrying in \(Int(pause)) s")
                try await Task.sleep(nanoseconds: UInt64(pause * 1e9))
                pause = min(pause * 2, 10)
            }
        }
        preconditionFailure("unreachable: the last attempt returns or throws")
    }

    /// In development, a secret generated once and kept in `db/secret_key` (git-ignored), so
    /// sessions and encrypted tokens survive restarts without any configuration.
    static func developmentSecret(near databaseURL: String, logger: Logger) throws -> String {
        let path = "db/secret_key"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), existing.count >= 32 {
            return existing
        }
        let secret = SecureRandom.token(byteCount: 48)
        do {
            try FileManager.default.createDirectory(atPath: "db", withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw OpenError.secretKeyFile("could not write \(path)")
            }
        } catch let error as OpenError {
            throw error
        } catch {
            throw OpenError.secretKeyFile("\(error)")
        }
        logger.warning("SECRET_KEY is not set: generated one in \(path) for development (set SECRET_KEY in production)")
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
