/// What a successful token request returns (RFC 6749 §5.1, plus OpenID Connect's `id_token`).
public struct IssuedTokens: Sendable {
    /// The bearer token, given to the client only.
    public let accessToken: String
    /// Seconds until the access token expires.
    public let expiresIn: Int
    /// Present when the client may use the refresh_token grant.
    public let refreshToken: String?
    /// What the access token allows.
    public let scope: ScopeSet
    /// The signed id_token, when the scope includes `openid` and a user.
    public let idToken: String?
    /// The thumbprint of the DPoP key the access token is bound to (token_type `DPoP`); nil: `Bearer`.
    public var dpopKey: String? = nil
}

/// A live access token as a resource endpoint sees it.
public struct AccessGrant: Sendable {
    /// The client the token was issued to.
    public let clientID: String
    /// The user the token acts for; nil for client_credentials tokens.
    public let user: ProviderUser?
    /// What the access token allows.
    public let scope: ScopeSet
    /// When the token was issued (Unix seconds).
    public let issuedAt: Int
    /// When the token expires (Unix seconds).
    public let expiresAt: Int
    /// The resources the token is for (RFC 8707; never empty: the provider's own by default).
    public let audience: [String]
    /// The DPoP key (RFC 7638 thumbprint) the token is bound to; nil for a bearer token.
    public let dpopKey: String?
}

/// What introspection (RFC 7662) reports about a live token.
public struct TokenDescription: Sendable {
    /// `access_token` or `refresh_token`.
    public enum Kind: String, Sendable { case accessToken = "access_token", refreshToken = "refresh_token" }

    /// Access or refresh token.
    public let kind: Kind
    /// The client the token was issued to.
    public let clientID: String
    /// The user the token acts for, if any.
    public let user: ProviderUser?
    /// What the access token allows.
    public let scope: ScopeSet
    /// When the token was issued (Unix seconds).
    public let issuedAt: Int
    /// When the token expires (Unix seconds).
    public let expiresAt: Int
    /// The resources an access token is for (never empty); the grant's resources for a refresh token.
    public let audience: [String]
    /// The DPoP key (RFC 7638 thumbprint) the token is bound to (`cnf.jkt`); nil when unbound.
    public let dpopKey: String?
}

/// Lifetimes, in seconds.
struct TokenLifetimes: Sendable {
    var accessToken: Int
    var refreshToken: Int
    var authorizationCode: Int
}
