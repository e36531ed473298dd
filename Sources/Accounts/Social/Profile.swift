import Security

/// A provider's profile in our terms. `uid` is the provider's immutable id for the person
/// (never a login or an email, which can change hands).
public struct NormalizedProfile: Sendable, Equatable {
    public var uid: String
    public var login: String?
    public var name: String?
    public var email: String?
    /// Whether the provider vouches for `email`. Facebook's is always false.
    public var emailVerified: Bool
    public var avatarURL: String?
    /// The provider's raw profile, kept for the admin console.
    public var raw: JSONValue

    public init(uid: String, login: String?, name: String?, email: String?, emailVerified: Bool, avatarURL: String?, raw: JSONValue) {
        self.uid = uid
        self.login = login
        self.name = name
        self.email = email
        self.emailVerified = emailVerified
        self.avatarURL = avatarURL
        self.raw = raw
    }
}

/// Tokens as a provider issued them.
public struct TokenSet: Sendable {
    public var accessToken: String
    public var refreshToken: String?
    public var tokenType: String
    public var scopes: [String]
    /// Unix seconds; nil when the token does not expire (GitHub OAuth-app tokens).
    public var expiresAt: Int?
    public var refreshExpiresAt: Int?
    public var idToken: String?
    /// The id_token's claims once verified (OpenID Connect providers only).
    public var idClaims: Claims?

    public init(accessToken: String, refreshToken: String? = nil, tokenType: String = "bearer", scopes: [String] = [],
                expiresAt: Int? = nil, refreshExpiresAt: Int? = nil, idToken: String? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.tokenType = tokenType
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.refreshExpiresAt = refreshExpiresAt
        self.idToken = idToken
    }
}

extension JSONValue {
    /// `self[key]` for objects.
    subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// A non-empty string, or a number rendered as one (ids arrive as either).
    var idString: String? {
        switch self {
        case .string(let text) where !text.isEmpty: text
        case .int(let number): String(number)
        default: nil
        }
    }

    /// A non-empty string.
    var nonEmptyString: String? {
        guard let text = stringValue, !text.isEmpty else { return nil }
        return text
    }
}
