import Foundation
import Storage

/// A browser session as stored: the id's SHA-256 (never the id itself), the user, the values,
/// its times and the client it was last seen from.
public struct StoredSession: Sendable, Equatable {
    public var idHash: String
    public var userID: Int64?
    public var values: [String: String]
    public var createdAt: Int
    public var lastSeen: Int
    public var expiresAt: Int
    public var remoteIP: String?
    public var userAgent: String?

    /// A session from its parts.
    public init(idHash: String, userID: Int64?, values: [String: String], createdAt: Int, lastSeen: Int, expiresAt: Int,
                remoteIP: String? = nil, userAgent: String? = nil) {
        self.idHash = idHash
        self.userID = userID
        self.values = values
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.expiresAt = expiresAt
        self.remoteIP = remoteIP
        self.userAgent = userAgent
    }
}

/// A signed-in session as the account page and the admin console list it.
public struct ActiveSession: Sendable {
    public let idHash: String
    public let createdAt: Int
    public let lastSeen: Int
    public let remoteIP: String?
    public let userAgent: String?
}

/// SQL for the `sessions` table of the identity schema (both apps' databases have one).
/// Methods take a `Connection`, so callers choose the transaction.
public enum SessionRepository {
    /// User agents are kept to this many characters.
    static let maxUserAgentLength = 300

    /// The session whose id hashes to `idHash`, expired or not (the caller decides).
    public static func load(idHash: String, in db: any Connection) throws -> StoredSession? {
        guard let row = try db.queryOne("SELECT id_hash, user_id, data, created_at, last_seen, expires_at, remote_ip, user_agent FROM sessions WHERE id_hash = ?",
                                        idHash) else { return nil }
        // Values are written by us as a JSON object of strings; anything else reads as empty.
        let values = SessionValuesJSON.decode(try row.string("data")) ?? [:]
        return StoredSession(idHash: try row.string("id_hash"), userID: try row.optionalInt64("user_id"), values: values,
                             createdAt: try row.int("created_at"), lastSeen: try row.int("last_seen"), expiresAt: try row.int("expires_at"),
                             remoteIP: try row.optionalString("remote_ip"), userAgent: try row.optionalString("user_agent"))
    }

    /// Inserts a session, or replaces the one with the same id hash.
    public static func save(_ session: StoredSession, in db: any Connection) throws {
        try db.execute("""
            INSERT INTO sessions (id_hash, user_id, data, created_at, last_seen, expires_at, remote_ip, user_agent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id_hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data,
                last_seen = excluded.last_seen, expires_at = excluded.expires_at,
                remote_ip = excluded.remote_ip, user_agent = excluded.user_agent
            """, session.idHash, session.userID, encode(session.values), session.createdAt, session.lastSeen, session.expiresAt,
            session.remoteIP, session.userAgent.map { String($0.prefix(maxUserAgentLength)) })
    }

    /// Updates a stored session in place; false (nothing stored) when it was deleted meanwhile,
    /// so a request in flight cannot bring back a session ended elsewhere.
    public static func update(_ session: StoredSession, in db: any Connection) throws -> Bool {
        try db.execute("""
            UPDATE sessions SET user_id = ?, data = ?, last_seen = ?, expires_at = ?, remote_ip = ?, user_agent = ?
            WHERE id_hash = ?
            """, session.userID, encode(session.values), session.lastSeen, session.expiresAt, session.remoteIP,
            session.userAgent.map { String($0.prefix(maxUserAgentLength)) }, session.idHash) > 0
    }

    /// Deletes one session.
    public static func delete(idHash: String, in db: any Connection) throws {
        try db.execute("DELETE FROM sessions WHERE id_hash = ?", idHash)
    }

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

    /// Removes expired sessions (housekeeping), returning how many.
    @discardableResult
    public static func purgeExpired(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM sessions WHERE expires_at <= ?", now)
    }

    private static func encode(_ values: [String: String]) -> String {
        SessionValuesJSON.encode(values)
    }
}
