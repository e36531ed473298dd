import Storage

/// The figures on the admin dashboard.
public struct AdminStatistics: Sendable {
    /// A linked account whose token needs attention, with its user.
    public struct Attention: Sendable {
        public let userID: Int64
        public let username: String
        public let accountID: Int64
        public let provider: String
        public let status: TokenStatus
        public let expiresAt: Int?
    }

    public let users: Int
    public let admins: Int
    public let disabled: Int
    /// Linked accounts per provider id, in provider order.
    public let linkedAccounts: [(provider: String, count: Int)]
    /// Active tokens without a refresh token expiring within `soonWindow` seconds (`expiringCondition`).
    public let expiringSoon: Int
    /// Accounts that must be connected again: marked `reconnect`, or expired with no refresh token.
    public let needingReconnection: Int
    /// A few of each, most urgent first.
    public let expiringSample: [Attention]
    public let reconnectionSample: [Attention]

    /// Seven days.
    public static let soonWindow = 7 * 86_400

    /// A token "expiring soon" is one someone must act on: active, expiring within the window,
    /// and with no refresh token. A token with a refresh token renews itself when used (the
    /// sibling provider's access tokens last an hour and always come with one, so counting them
    /// filled the figure with tokens nobody needs to look at); without one, the person will have
    /// to connect again. Parameters: now, now + `soonWindow`.
    public static let expiringCondition = "t.expires_at > ? AND t.expires_at <= ? AND t.status = 'active' AND t.refresh_token_enc IS NULL"

    /// Reads the figures; every query is an index range or an index-only count.
    public static func read(now: Int, sampleSize: Int = 10, in db: any Connection) throws -> AdminStatistics {
        func count(_ sql: String, _ params: any SQLBindable...) throws -> Int {
            try db.queryOne(sql, params.map(\.sqlValue))?.int(0) ?? 0
        }
        let linked = try db.query("SELECT provider, COUNT(*) AS n FROM social_accounts GROUP BY provider ORDER BY provider").map {
            (provider: try $0.string("provider"), count: try $0.int("n"))
        }
        let soon = now + soonWindow
        let attention = """
            SELECT a.id AS account_id, a.user_id, u.username, a.provider, t.status, t.expires_at
            FROM social_tokens t JOIN social_accounts a ON a.id = t.social_account_id JOIN users u ON u.id = a.user_id
            """
        func sample(_ rows: [Row]) throws -> [Attention] {
            try rows.map { row in
                Attention(userID: try row.int64("user_id"), username: try row.string("username"), accountID: try row.int64("account_id"),
                          provider: try row.string("provider"), status: TokenStatus(rawValue: try row.string("status")) ?? .reconnect, expiresAt: try row.optionalInt("expires_at"))
            }
        }
        return AdminStatistics(
            users: try count("SELECT COUNT(*) FROM users"),
            admins: try count("SELECT COUNT(*) FROM users WHERE is_admin = 1"),
            disabled: try count("SELECT COUNT(*) FROM users WHERE is_disabled = 1"),
            linkedAccounts: linked,
            expiringSoon: try count("SELECT COUNT(*) FROM social_tokens t WHERE \(expiringCondition)", now, soon),
            needingReconnection: try count("SELECT COUNT(*) FROM social_tokens WHERE status = 'reconnect'")
                + count("SELECT COUNT(*) FROM social_tokens WHERE expires_at <= ? AND status = 'active' AND refresh_token_enc IS NULL", now),
            expiringSample: try sample(db.query(attention + " WHERE \(expiringCondition) ORDER BY t.expires_at LIMIT ?",
                                                now, soon, sampleSize)),
            // Two queries rather than one with OR, so each stays an index range.
            reconnectionSample: Array((try sample(db.query(attention + " WHERE t.status = 'reconnect' ORDER BY t.updated_at DESC LIMIT ?", sampleSize))
                + sample(db.query(attention + " WHERE t.expires_at <= ? AND t.status = 'active' AND t.refresh_token_enc IS NULL ORDER BY t.expires_at DESC LIMIT ?",
                                  now, sampleSize))).prefix(sampleSize)))
    }
}
