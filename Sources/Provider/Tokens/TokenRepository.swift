import Storage

/// SQL for codes, access tokens and refresh tokens. Every lookup is by hash; every state change
/// that must happen once (using a code, rotating a refresh token) is a conditional UPDATE whose
/// row count says whether this caller won, so two simultaneous requests cannot both succeed.
enum TokenRepository {
    // MARK: Codes

    static func insertCode(hash: String, request: AuthorizationRequest, userID: Int64, authTime: Int, methods: [String], familyID: String,
                           now: Int, expiresAt: Int, in db: any Connection) throws {
        _ = try db.execute("""
            INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, redirect_uri_sent, scope, code_challenge,
                nonce, auth_time, amr, family_id, created_at, expires_at, resource, dpop_jkt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, hash, request.client.clientID, userID, request.redirectURI, request.redirectURISent, request.scope.description,
            request.codeChallenge, request.nonce, authTime, methods.joined(separator: " "), familyID, now, expiresAt,
            request.resources.joined(separator: " "), request.dpopKey)
    }

    static func code(hash: String, in db: any Connection) throws -> StoredCode? {
        try db.queryOne("""
            SELECT code_hash, client_id, user_id, redirect_uri, redirect_uri_sent, scope, code_challenge, nonce, auth_time, amr,
                family_id, expires_at, used_at, resource, dpop_jkt FROM authorization_codes WHERE code_hash = ?
            """, hash).map(StoredCode.init)
    }

    /// Marks the code used; false when another request used it first.
    static func useCode(hash: String, now: Int, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE authorization_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", now, hash) == 1
    }

    /// Removes codes that expired long enough ago that a replay would be refused as unknown
    /// anyway. Used codes are kept until then, so a replay within that time revokes the family.
    static func purgeCodes(before cutoff: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM authorization_codes WHERE expires_at < ?", cutoff)
    }

    /// Removes tokens that expired before `cutoff`: past their expiry they are refused anyway,
    /// and a rotated-away refresh token only matters (for reuse detection) until it expires.
    static func purgeTokens(before cutoff: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM access_tokens WHERE expires_at < ?", cutoff)
            + db.execute("DELETE FROM refresh_tokens WHERE expires_at < ?", cutoff)
    }

    // MARK: Access tokens

    static func insertAccessToken(hash: String, clientID: String, userID: Int64?, scope: ScopeSet, familyID: String,
                                  audience: [String], dpopKey: String?, now: Int, expiresAt: Int, in db: any Connection) throws {
        _ = try db.execute("""
            INSERT INTO access_tokens (token_hash, client_id, user_id, scope, family_id, issued_at, expires_at, audience, dpop_jkt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, hash, clientID, userID, scope.description, familyID, now, expiresAt, audience.joined(separator: " "), dpopKey)
    }

    static func accessToken(hash: String, in db: any Connection) throws -> StoredAccessToken? {
        try db.queryOne("""
            SELECT token_hash, client_id, user_id, scope, family_id, issued_at, expires_at, revoked_at, audience, dpop_jkt
            FROM access_tokens WHERE token_hash = ?
            """, hash).map(StoredAccessToken.init)
    }

    static func revokeAccessToken(hash: String, now: Int, in db: any Connection) throws {
        _ = try db.execute("UPDATE access_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", now, hash)
    }

    // MARK: Refresh tokens

    static func insertRefreshToken(hash: String, clientID: String, userID: Int64, scope: ScopeSet, familyID: String,
                                   rotatedFrom: String?, authTime: Int, methods: [String], resources: [String], dpopKey: String?, now: Int,
                                   expiresAt: Int, in db: any Connection) throws {
        _ = try db.execute("""
            INSERT INTO refresh_tokens (token_hash, client_id, user_id, scope, family_id, rotated_from, auth_time, amr, issued_at, expires_at,
                                        resource, dpop_jkt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, hash, clientID, userID, scope.description, familyID, rotatedFrom, authTime, methods.joined(separator: " "), now, expiresAt,
            resources.joined(separator: " "), dpopKey)
    }

    static func refreshToken(hash: String, in db: any Connection) throws -> StoredRefreshToken? {
        try db.queryOne("""
            SELECT token_hash, client_id, user_id, scope, family_id, auth_time, amr, issued_at, expires_at, rotated_at, revoked_at, resource, dpop_jkt
            FROM refresh_tokens WHERE token_hash = ?
            """, hash).map(StoredRefreshToken.init)
    }

    /// Marks a live refresh token rotated; false when it was already rotated or revoked.
    static func rotateRefreshToken(hash: String, now: Int, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND rotated_at IS NULL AND revoked_at IS NULL",
                       now, hash) == 1
    }

    // MARK: Families and users

    /// Revokes every access and refresh token issued from one grant (a code and its refreshes).
    static func revokeFamily(_ familyID: String, now: Int, in db: any Connection) throws {
        _ = try db.execute("UPDATE access_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", now, familyID)
        _ = try db.execute("UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", now, familyID)
    }

    /// Revokes every access and refresh token the user holds, with every client, and deletes
    /// their codes not yet exchanged: after a password reset nothing issued before it works,
    /// whoever holds it. Used codes stay, so a replay still revokes its family. How many went.
    @discardableResult
    static func revokeAll(userID: Int64, now: Int, in db: any Connection) throws -> Int {
        try db.execute("UPDATE access_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userID)
            + db.execute("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userID)
            + db.execute("DELETE FROM authorization_codes WHERE user_id = ? AND used_at IS NULL", userID)
    }
}
