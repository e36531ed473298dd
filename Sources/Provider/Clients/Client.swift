import Mustache
import Storage

/// A registered OAuth client. Its secret is not here: only its SHA-256 is stored, and only
/// `ClientRegistry.authenticate` reads it.
public struct Client: Sendable, Equatable {
    /// The public identifier (random, URL-safe).
    public let clientID: String
    /// What users see on the consent page.
    public var name: String
    /// Where codes may be sent; a request must name one of these exactly.
    public var redirectURIs: [String]
    /// The grants the client may use at the token endpoint.
    public var grantTypes: Set<GrantType>
    /// The scopes the client may ask for.
    public var scopes: ScopeSet
    /// Confidential clients authenticate with a secret; public ones (apps in browsers or on
    /// devices) cannot keep one, and must use PKCE instead.
    public var isConfidential: Bool
    /// First-party clients whose users are not asked for consent.
    public var skipsConsent: Bool
    /// A resource server may introspect tokens issued to any client; other clients only their own.
    public var isResourceServer: Bool
    /// Opaque access tokens (the default) or JWTs (RFC 9068).
    public var accessTokenFormat: AccessTokenFormat
    /// When the client was registered (Unix seconds).
    public let createdAt: Int

    init(row: Row) throws {
        clientID = try row.string("client_id")
        name = try row.string("name")
        redirectURIs = try row.string("redirect_uris").spaceSeparated.map(String.init)
        grantTypes = Set(try row.string("grant_types").spaceSeparated.compactMap { GrantType(rawValue: String($0)) })
        scopes = ScopeSet(trusted: try row.string("scopes"))
        isConfidential = try row.bool("confidential")
        skipsConsent = try row.bool("skip_consent")
        isResourceServer = try row.bool("resource_server")
        accessTokenFormat = AccessTokenFormat(rawValue: try row.string("access_token_format")) ?? .opaque
        createdAt = try row.int("created_at")
    }

    /// Whether the client may use `grant`.
    public func allows(_ grant: GrantType) -> Bool { grantTypes.contains(grant) }

    /// Whether the client may learn about a token issued to `clientID` (introspection, verify).
    public func mayInspect(tokenOf clientID: String) -> Bool { isResourceServer || clientID == self.clientID }
}

extension Client: MustacheObject {
    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "clientID": .string(clientID)
        case "name": .string(name)
        case "redirectURIs": .list(redirectURIs.map(MustacheValue.string))
        case "grantTypes": .string(grantTypes.sorted().map(\.rawValue).joined(separator: " "))
        case "scopes": .string(scopes.description)
        case "isConfidential": .bool(isConfidential)
        case "skipsConsent": .bool(skipsConsent)
        case "isResourceServer": .bool(isResourceServer)
        case "jwtAccessTokens": .bool(accessTokenFormat == .jwt)
        default: nil
        }
    }
}
