import Storage

/// A signed-in session as the account page and the admin console list it.
public struct ActiveSession: Sendable {
    public let idHash: String
    public let createdAt: Int
    public let lastSeen: Int
    public let remoteIP: String?
    public let userAgent: String?
}

/// Queries over a user's sessions.
public enum SessionRepository {
    /// The user's unexpired sessions, most recent first.
    public static func active(userID: Int64, now: Int, in db: any Connection) throws -> [ActiveSession] {
        try db.query("SELECT id_hash, created_at, last_seen, remote_ip, user_agent FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY last_seen DESC",
                     userID, now).map { row in
            ActiveSession(idHash: try row.string("id_hash"), createdAt: try row.int("created_at"), lastSeen: try row.int("last_seen"),
                          remoteIP: try row.optionalString("remote_ip"), userAgent: try row.optionalString("user_agent"))
        }
    }

    /// Ends every session of the user except `keeping` (the current one), returning how many.
    @discardableResult
    public static func endAll(userID: Int64, keeping: String?, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", userID, keeping ?? "")
    }

    /// Ends one session of the user (the user id guards against ending someone else's).
    @discardableResult
    public static func end(idHash: String, userID: Int64, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM sessions WHERE id_hash = ? AND user_id = ?", idHash, userID)
    }

    /// Removes expired sessions; run now and then.
    @discardableResult
    public static func purgeExpired(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM sessions WHERE expires_at <= ?", now)
    }
}
