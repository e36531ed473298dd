import Foundation
import Identity
import IdentityWeb
import Security
import Storage
import Web

/// The long-lived things the provider's controllers use: the identity core's services (`core`:
/// the database, key ring, clock, credentials, sessions, housekeeping; reached as
/// `services.database` and so on), the signing keys and the provider's own services. Opened once
/// at start-up (by `latchkey provider`, the CLI and tests), then shared.
@dynamicMemberLookup
public struct ProviderServices: Sendable {
    /// The configuration the services were opened with.
    public let configuration: ProviderConfiguration
    /// What the provider opens like every app.
    public let core: CoreServices
    /// Provider users: sign-up, sign-in, creation, password reset and address verification.
    public let users: UserService
    /// The client registry.
    public let clients: ClientRegistry
    /// What users have allowed which clients.
    public let consents: ConsentStore
    /// Codes and tokens.
    public let tokens: TokenService
    /// The id_token signing keys.
    public let signingKeys: SigningKeys
    /// DPoP proofs: replay and server nonces (RFC 9449).
    let dpop: DPoPVerifier
    /// Pushed authorization requests (RFC 9126).
    public let pushedRequests: PushedRequests
    /// Device authorizations (RFC 8628).
    public let devices: DeviceAuthorizations
    /// Dynamic client registration (RFC 7591, 7592) and initial access tokens.
    public let registration: ClientRegistration
    /// Users' second factors (authenticator app, recovery codes).
    let secondFactors: ProviderSecondFactors
    /// How back-channel logout tokens go out: libcurl with short timeouts, since a client that
    /// does not answer must not hold anything up (tests put a recorder here).
    public var logoutHTTP: any HTTPClient = CurlHTTPClient(connectTimeout: 2, totalTimeout: 5)

    /// The name authenticator apps show next to the provider's codes.
    static let totpIssuer = "Latchkey ID"

    /// The core services as if they were the provider's own (`services.database`).
    public subscript<Value>(dynamicMember keyPath: KeyPath<CoreServices, Value>) -> Value { core[keyPath: keyPath] }

    /// Opens the database, applies pending migrations (if `migrate`), loads (or creates) the
    /// signing key and builds the services.
    public static func open(_ configuration: ProviderConfiguration, migrate: Bool = true, logger: Logger = Logger(),
                            clock: Clock = .system) async throws -> ProviderServices {
        let app = CoreServices.App(migrations: "provider", developmentSecretPath: "db/provider_secret_key",
                                   secretVariables: "PROVIDER_SECRET_KEY and SECRET_KEY are",
                                   sessionOwner: { id, db in try UserRepository.find(id: id, in: db) })
        return try await CoreServices.open(configuration.app, app: app, chores: ProviderChores.all, migrate: migrate, logger: logger,
                                           clock: clock) { core in
            let database = core.database
            let signingKeys = try await SigningKeys.load(database: database, keys: core.keys, clock: clock)
            let users = UserService(database: database, credentials: core.credentials, clock: clock, signUpLimit: configuration.signUpLimit,
                                    outbox: core.outbox)
            let lifetimes = TokenLifetimes(accessToken: configuration.accessTokenTTL, refreshToken: configuration.refreshTokenTTL,
                                           authorizationCode: configuration.authorizationCodeTTL)
            let issuer = IDTokenIssuer(issuer: configuration.baseURL, keys: signingKeys, lifetime: configuration.accessTokenTTL)
            let clients = ClientRegistry(database: database, clock: clock)
            let tokens = TokenService(database: database, clock: clock, lifetimes: lifetimes, idTokens: issuer, users: users,
                                      resources: KnownResources(own: configuration.baseURL, others: configuration.resources),
                                      jwtAccessTokens: JWTAccessTokens(issuer: configuration.baseURL, keys: signingKeys))
            return ProviderServices(
                configuration: configuration, core: core, users: users,
                clients: clients, consents: ConsentStore(database: database, clock: clock),
                tokens: tokens, signingKeys: signingKeys,
                dpop: DPoPVerifier(database: database, clock: clock, issuer: configuration.baseURL,
                                   nonces: configuration.dpopNonces ? core.keys.signer(for: "provider.dpop-nonce") : nil),
                pushedRequests: PushedRequests(database: database, clock: clock),
                devices: DeviceAuthorizations(database: database, clock: clock, tokens: tokens),
                registration: ClientRegistration(database: database, clock: clock, clients: clients),
                secondFactors: ProviderSecondFactors(database: database, clock: clock, totp: TOTPDevices(keys: core.keys, issuer: totpIssuer),
                                                     passkeys: Passkeys(database: database, relyingParty: relyingParty(configuration.baseURL),
                                                                        clock: clock),
                                                     outbox: core.outbox))
        }
    }

    /// The WebAuthn relying party: the RP ID is `PROVIDER_BASE_URL`'s host, the one origin that URL's.
    static func relyingParty(_ baseURL: String) -> RelyingParty {
        let authority = URLHost.of(baseURL)
        let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }.dropFirst()) : String(authority.prefix { $0 != ":" })
        let origin = baseURL.range(of: "://").map { String(baseURL[..<$0.upperBound]) + authority } ?? baseURL
        return RelyingParty(id: host, name: totpIssuer, origins: [origin], userVerification: .preferred)
    }

    /// Closes the database.
    public func close() { core.close() }
}
