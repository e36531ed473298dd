import Accounts
import Foundation
import Identity
import IdentityWeb
import Security
import Storage
import Web

/// The long-lived things the site's controllers use: the identity core's services (`core`: the
/// database, key ring, clock, credentials, sessions, housekeeping; reached as
/// `services.database` and so on) and the site's own. Opened once at start-up (by `serve` and
/// by tests), then shared.
@dynamicMemberLookup
public struct SiteServices: Sendable {
    public let configuration: SiteConfiguration
    /// What the site opens like every app.
    public let core: CoreServices
    public let accounts: AccountService
    public let social: SocialAuthService
    /// What administrators do to users, each with its audit row.
    public let admin: AdminService
    /// Deleting an account and exporting its data.
    public let lifecycle: AccountLifecycle
    /// Authenticator apps (TOTP), labelled "Latchkey" in the app.
    public let totp: TOTPDevices

    /// The core services as if they were the site's own (`services.database`).
    public subscript<Value>(dynamicMember keyPath: KeyPath<CoreServices, Value>) -> Value { core[keyPath: keyPath] }

    /// Opens the database, applies pending migrations (if `migrate`), and builds the services.
    public static func open(_ configuration: SiteConfiguration, migrate: Bool = true, logger: Logger = Logger(),
                            clock: Clock = .system) async throws -> SiteServices {
        let app = CoreServices.App(migrations: "site", developmentSecretPath: "db/secret_key", secretVariables: "SECRET_KEY is",
                                   sessionOwner: { id, db in try SiteServices.signedInUser(id, in: db) })
        return try await CoreServices.open(configuration.app, app: app, chores: SiteChores.all, migrate: migrate, logger: logger,
                                           clock: clock) { core in
            let http = CurlHTTPClient(connectTimeout: configuration.httpConnectTimeout, totalTimeout: configuration.httpTimeout)
            let registry = ProviderRegistry(environment: configuration.providerEnvironment, http: http)
            let social = SocialAuthService(database: core.database, registry: registry, keys: core.keys,
                                           autoLinkVerifiedEmails: configuration.autoLinkVerifiedEmails,
                                           signInDeadline: configuration.signInDeadline, outbox: core.outbox)
            return SiteServices(configuration: configuration, core: core,
                                accounts: AccountService(database: core.database, credentials: core.credentials, clock: clock,
                                                          signUpLimit: configuration.signUpLimit, outbox: core.outbox),
                                social: social, admin: AdminService(database: core.database, social: social, clock: clock, outbox: core.outbox),
                                lifecycle: AccountLifecycle(database: core.database, social: social, clock: clock, outbox: core.outbox),
                                totp: TOTPDevices(keys: core.keys, issuer: "Latchkey"))
        }
    }
}

extension SiteServices {
    /// Passkey ceremonies for pages at `request`'s origin (see `SiteConfiguration.relyingParty`).
    func passkeys(for request: Request, userVerification: RelyingParty.UserVerification = .preferred) -> Passkeys {
        Passkeys(database: core.database, relyingParty: configuration.relyingParty(for: request, userVerification: userVerification),
                 clock: core.clock)
    }

    /// Logs each provider as enabled (with the callback URL to register with it) or disabled
    /// with the reason, so "works on localhost, fails in production" shows up at start-up.
    public func logProviders(_ logger: Logger) {
        let origin = configuration.baseURL ?? "http://\(configuration.host):\(configuration.port)"
        for entry in social.registry.entries {
            if entry.isEnabled {
                let callback = SocialController.callbackURL(origin: origin, provider: entry.id)
                if entry.discoveryURL != nil {
                    // Enabled by its settings; whether its discovery answers is logged when the check ends.
                    logger.info("provider_enabled", ["provider": entry.id, "callback_url": callback, "discovery": "checking"])
                } else {
                    logger.info("provider_enabled", ["provider": entry.id, "callback_url": callback])
                }
            } else {
                logger.info("provider_disabled", ["provider": entry.id, "reason": entry.disabledReason ?? ""])
            }
        }
        for problem in social.registry.problems { logger.warning("provider_configuration", ["problem": problem]) }
        if configuration.baseURL == nil {
            logger.info("BASE_URL is not set: callback URLs are built from each request's Host header (set BASE_URL in production)")
        }
    }

    /// Fetches every enabled provider's discovery document in the background and logs the
    /// outcome with the reason when it fails. Start-up never waits for it and never fails by it:
    /// a provider that is down at boot may be up by the first sign-in, which fetches again.
    @discardableResult
    public func checkDiscovery(_ logger: Logger) -> Task<Void, Never> {
        let entries = social.registry.enabled.filter { $0.discoveryURL != nil }
        return Task {
            await withTaskGroup(of: Void.self) { group in
                for entry in entries {
                    group.addTask {
                        do {
                            try await entry.checkDiscovery()
                            logger.info("provider_discovery_ok", ["provider": entry.id])
                        } catch {
                            logger.warning("provider_discovery_failed", ["provider": entry.id, "discovery_url": entry.discoveryURL ?? "",
                                                                         "reason": "\(error)"])
                        }
                    }
                }
            }
        }
    }
}
