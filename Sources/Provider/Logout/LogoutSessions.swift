import Security
import Storage
import Web

/// The provider session's `sid` (OpenID Connect Back-Channel Logout 1.0 §2.1): a random value
/// kept in the session (never the cookie's id, which is a credential), made when the session
/// first approves a grant, and the grants each session approved.
enum LogoutSessions {
    static let key = "oidc_sid"

    /// The session's sid for `userID`, made on first use. Stored with the user id, so a session
    /// someone else signs in to later gets a new one.
    static func sid(of session: Session, userID: Int64) -> String {
        let prefix = "\(userID)."
        if let stored = session[key], stored.hasPrefix(prefix) { return String(stored.dropFirst(prefix.count)) }
        let sid = SecureRandom.token(byteCount: 16)
        session[key] = prefix + sid
        return sid
    }

    /// The session's sid if it has approved a grant for the signed-in user, else nil.
    static func existingSID(of session: Session) -> String? {
        guard let userID = session.userID, let stored = session[key], stored.hasPrefix("\(userID).") else { return nil }
        return String(stored.dropFirst("\(userID).".count))
    }

    static func record(familyID: String, sid: String, clientID: String, userID: Int64, now: Int, in db: any Connection) throws {
        _ = try db.execute("INSERT INTO grant_sessions (family_id, sid, client_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)",
                           familyID, sid, clientID, userID, now)
    }

    static func sid(familyID: String, in db: any Connection) throws -> String? {
        try db.queryOne("SELECT sid FROM grant_sessions WHERE family_id = ?", familyID)?.string("sid")
    }

    /// How long a grant's session is remembered once none of its tokens is left: longer than a
    /// provider session lives, so a client whose tokens expired is still told at logout.
    static let keep = 86_400 * 90

    /// Forgets grants older than `cutoff` that have no token left (tokens are purged after expiry).
    static func purge(before cutoff: Int, in db: any Connection) throws -> Int {
        try db.execute("""
            DELETE FROM grant_sessions WHERE created_at < ?
                AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family_id = grant_sessions.family_id)
                AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.family_id = grant_sessions.family_id)
            """, cutoff)
    }

    /// The clients that have a grant from session `sid`.
    static func clients(sid: String, in db: any Connection) throws -> [String] {
        try db.query("SELECT DISTINCT client_id FROM grant_sessions WHERE sid = ? ORDER BY client_id", sid).map { try $0.string("client_id") }
    }
}
