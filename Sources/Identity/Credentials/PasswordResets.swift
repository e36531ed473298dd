import Security
import Storage

/// Single-use password-reset links for both apps: a random 256-bit token (only its SHA-256 is
/// stored), valid `lifetime` seconds, used once, and void as soon as the password changes by
/// any means (each link is stamped with the password hash it was made against).
public enum PasswordResets {
    /// Thirty minutes.
    public static let lifetime = 1800
    /// Requests allowed per client address an hour; beyond it the asker is told (429).
    public static let limitPerAddress = RateLimit("password_reset_ip", limit: 10, window: 3600)
    /// Links mailed per account an hour; beyond it requests are dropped silently, so nobody can
    /// flood an inbox, nor learn from a refusal that the account exists.
    public static let limitPerAccount = RateLimit("password_reset_account", limit: 3, window: 3600)

    /// A new link token for `userID`, whose password hash is now `currentHash` (nil: none yet).
    public static func issue(userID: Int64, currentHash: String?, now: Int, in db: any Connection) throws -> String {
        let token = SecureRandom.token(byteCount: 32)
        _ = try db.execute("INSERT INTO password_resets (token_hash, user_id, stamp, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       digest(token), userID, stamp(currentHash), now, now + lifetime)
        return token
    }

    /// The user whose live link `token` is, without using it (to show the form); nil when the
    /// link is unknown, used, expired, or made before a password change.
    public static func holder(of token: String, now: Int, in db: any Connection) throws -> Int64? {
        guard token.utf8.count == 43,
              let row = try db.queryOne("SELECT user_id, stamp, expires_at, used_at FROM password_resets WHERE token_hash = ?", digest(token)),
              try row.optionalInt("used_at") == nil, try row.int("expires_at") > now else { return nil }
        let userID = try row.int64("user_id")
        guard try row.string("stamp") == stamp(try Credentials.storedHash(userID: userID, in: db)) else { return nil }
        return userID
    }

    /// Uses `token` in `db`'s transaction: the holder's id, or nil (and nothing changed) when the
    /// link is not live. Every other live link of the user dies with it.
    public static func redeem(_ token: String, now: Int, in db: any Connection) throws -> Int64? {
        guard let userID = try holder(of: token, now: now, in: db) else { return nil }
        _ = try db.execute("UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL", now, userID)
        return userID
    }

    /// Kills every live link of `userID` (the address they were mailed to is no longer the
    /// account's).
    public static func cancelAll(userID: Int64, now: Int, in db: any Connection) throws {
        _ = try db.execute("UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL", now, userID)
    }

    /// A new link for `user`, mailed through `outbox` (`message(user, token)` writes it), in
    /// `db`'s transaction: the link exists exactly when its mail does.
    public static func mail<User: AccountHolder>(to user: User, via outbox: Outbox, now: Int, in db: any Connection,
                                                 message: (User, _ token: String) -> MailMessage) throws {
        let token = try issue(userID: user.id, currentHash: try Credentials.storedHash(userID: user.id, in: db), now: now, in: db)
        try outbox.enqueue(message(user, token), kind: "password_reset", userID: user.id, now: now, in: db)
    }

    /// Deletes links a day past expiry (housekeeping).
    @discardableResult
    public static func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM password_resets WHERE expires_at < ?", now - 86_400)
    }

    static func digest(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }
    static func stamp(_ hash: String?) -> String { Hex.encode(SHA256.hash(hash ?? "")) }
}

/// Too many reset requests from one address; try again after `retryAfter` seconds.
public struct TooManyResetRequests: Error, Sendable {
    public let retryAfter: Int
    public init(retryAfter: Int) { self.retryAfter = retryAfter }
}
