import Security
import Storage

/// A bearer token issued to an API client, as stored (never the token itself).
public struct APIToken: Sendable, Equatable {
    public let id: Int64
    public let userID: Int64
    public let createdAt: Int
    public let expiresAt: Int
    public let lastUsedAt: Int?
    public let revokedAt: Int?
    /// What signed in with it: the provider and the client's User-Agent, as sent (nil for old tokens).
    public let client: String?

    init(row: Row) throws {
        id = try row.int64("id")
        userID = try row.int64("user_id")
        createdAt = try row.int("created_at")
        expiresAt = try row.int("expires_at")
        lastUsedAt = try row.optionalInt("last_used_at")
        revokedAt = try row.optionalInt("revoked_at")
        client = try row.optionalString("client")
    }
}

/// SQL for `api_tokens`. A token is `lk_` plus 256 random bits (base64url); the table keeps only
/// its SHA-256, so a leaked database hands out no working tokens.
public enum APITokenRepository {
    /// Marks our tokens, so people (and secret scanners) can tell them apart.
    public static let prefix = "lk_"
    /// `last_used_at` is written at most this often, so reading with a token is not a write each time.
    public static let touchInterval = 60

    /// A fresh random token.
    public static func newToken() -> String { prefix + SecureRandom.token(byteCount: 32) }

    /// The stored form of `token` (hex SHA-256).
    public static func hash(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }

    /// Whether `text` could be one of our tokens at all (cheap check before touching the database).
    public static func isWellFormed(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + 43
            && text.utf8.dropFirst(prefix.utf8.count).allSatisfy { $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0)
                || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// Issues a token for `userID` living `lifetime` seconds; returns the token (shown once) and its expiry.
    public static func issue(userID: Int64, lifetime: Int, now: Int, client: String? = nil,
                             in db: any Connection) throws -> (token: String, expiresAt: Int) {
        let token = newToken()
        let expiresAt = now + lifetime
        _ = try db.insert("INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at, client) VALUES (?, ?, ?, ?, ?) RETURNING id",
                          userID, hash(token), now, expiresAt, client.map { String($0.prefix(300)) })
        return (token, expiresAt)
    }

    /// The live (unrevoked, unexpired) token record for `token` and its user, or nil.
    public static func find(_ token: String, now: Int, in db: any Connection) throws -> (APIToken, User)? {
        guard isWellFormed(token),
              let row = try db.queryOne("SELECT id, user_id, created_at, expires_at, last_used_at, revoked_at, client FROM api_tokens WHERE token_hash = ?",
                                        hash(token)) else { return nil }
        let record = try APIToken(row: row)
        guard record.revokedAt == nil, record.expiresAt > now, let user = try UserRepository.find(id: record.userID, in: db) else { return nil }
        return (record, user)
    }

    /// Whether `record` is due a `last_used_at` update.
    public static func needsTouch(_ record: APIToken, now: Int) -> Bool {
        (record.lastUsedAt ?? 0) + touchInterval <= now
    }

    /// Records that token `id` was used now.
    public static func touch(id: Int64, now: Int, in db: any Connection) throws {
        _ = try db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, id)
    }

    /// Revokes `token`; false when it was unknown or already revoked.
    @discardableResult
    public static func revoke(_ token: String, now: Int, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", now, hash(token)) > 0
    }

    /// Revokes every live token of `userID`; returns how many.
    @discardableResult
    public static func revokeAll(userID: Int64, now: Int, in db: any Connection) throws -> Int {
        try db.execute("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now, userID)
    }

    /// The live tokens of `userID`, most recently used first (for the account page).
    public static func live(userID: Int64, now: Int, in db: any Connection) throws -> [APIToken] {
        try db.query("""
            SELECT id, user_id, created_at, expires_at, last_used_at, revoked_at, client FROM api_tokens
            WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY COALESCE(last_used_at, created_at) DESC, id DESC
            """, userID, now).map(APIToken.init)
    }

    /// Revokes token `id` of `userID` (the user id guards against revoking someone else's).
    @discardableResult
    public static func revoke(id: Int64, userID: Int64, now: Int, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", now, id, userID) > 0
    }

    /// How many unrevoked, unexpired tokens `userID` holds.
    public static func liveCount(userID: Int64, now: Int, in db: any Connection) throws -> Int {
        try db.queryOne("SELECT COUNT(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?", userID, now)?.int(0) ?? 0
    }
}
