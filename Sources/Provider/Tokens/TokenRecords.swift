import Storage

/// An authorization code as stored (the code itself is not: only its hash).
struct StoredCode: Sendable {
    let codeHash: String
    let clientID: String
    let userID: Int64
    let redirectURI: String
    let redirectURISent: Bool
    let scope: ScopeSet
    let codeChallenge: String?
    let nonce: String?
    let authTime: Int
    /// RFC 8176 methods of the sign-in that approved the request.
    let methods: [String]
    let familyID: String
    let expiresAt: Int
    let usedAt: Int?
    /// RFC 8707 resources the authorization request named.
    let resources: [String]
    /// The DPoP key (`dpop_jkt`) the authorization request bound the code to.
    let dpopKey: String?

    init(row: Row) throws {
        codeHash = try row.string("code_hash")
        clientID = try row.string("client_id")
        userID = try row.int64("user_id")
        redirectURI = try row.string("redirect_uri")
        redirectURISent = try row.bool("redirect_uri_sent")
        scope = ScopeSet(trusted: try row.string("scope"))
        codeChallenge = try row.optionalString("code_challenge")
        nonce = try row.optionalString("nonce")
        authTime = try row.int("auth_time")
        methods = AuthenticationMethods.parse(try row.string("amr"))
        familyID = try row.string("family_id")
        expiresAt = try row.int("expires_at")
        usedAt = try row.optionalInt("used_at")
        resources = try row.string("resource").spaceSeparated.map(String.init)
        dpopKey = try row.optionalString("dpop_jkt")
    }
}

/// An access token as stored.
struct StoredAccessToken: Sendable {
    let tokenHash: String
    let clientID: String
    let userID: Int64?
    let scope: ScopeSet
    let familyID: String
    let issuedAt: Int
    let expiresAt: Int
    let revokedAt: Int?
    /// The resources the token is for; empty: the provider's own endpoints.
    let audience: [String]
    /// The thumbprint of the DPoP key the token is bound to; nil for a bearer token.
    let dpopKey: String?

    init(row: Row) throws {
        tokenHash = try row.string("token_hash")
        clientID = try row.string("client_id")
        audience = try row.string("audience").spaceSeparated.map(String.init)
        dpopKey = try row.optionalString("dpop_jkt")
        userID = try row.optionalInt64("user_id")
        scope = ScopeSet(trusted: try row.string("scope"))
        familyID = try row.string("family_id")
        issuedAt = try row.int("issued_at")
        expiresAt = try row.int("expires_at")
        revokedAt = try row.optionalInt("revoked_at")
    }

    func isActive(now: Int) -> Bool { revokedAt == nil && now < expiresAt }
}

/// A refresh token as stored.
struct StoredRefreshToken: Sendable {
    let tokenHash: String
    let clientID: String
    let userID: Int64
    let scope: ScopeSet
    let familyID: String
    let authTime: Int
    /// RFC 8176 methods of the sign-in that approved the grant.
    let methods: [String]
    let issuedAt: Int
    let expiresAt: Int
    let rotatedAt: Int?
    let revokedAt: Int?
    /// RFC 8707 resources of the grant.
    let resources: [String]
    /// The DPoP key a public client's refresh token is bound to.
    let dpopKey: String?

    init(row: Row) throws {
        resources = try row.string("resource").spaceSeparated.map(String.init)
        dpopKey = try row.optionalString("dpop_jkt")
        tokenHash = try row.string("token_hash")
        clientID = try row.string("client_id")
        userID = try row.int64("user_id")
        scope = ScopeSet(trusted: try row.string("scope"))
        familyID = try row.string("family_id")
        authTime = try row.int("auth_time")
        methods = AuthenticationMethods.parse(try row.string("amr"))
        issuedAt = try row.int("issued_at")
        expiresAt = try row.int("expires_at")
        rotatedAt = try row.optionalInt("rotated_at")
        revokedAt = try row.optionalInt("revoked_at")
    }

    func isActive(now: Int) -> Bool { revokedAt == nil && rotatedAt == nil && now < expiresAt }
}
