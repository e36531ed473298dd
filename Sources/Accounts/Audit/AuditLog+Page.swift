import Storage

/// One audit-log entry with the usernames of its actor and target (when they still exist).
public struct AuditEntry: Sendable, Equatable {
    public let id: Int64
    public let action: String
    public let actorID: Int64?
    public let actorName: String?
    public let targetID: Int64?
    public let targetName: String?
    public let detail: String
    public let remoteIP: String?
    public let createdAt: Int
}

/// What the audit log page shows: one kind of event, one user (as actor or target), a time range.
public struct AuditFilter: Sendable, Equatable {
    public var action: String?
    public var user: Int64?
    /// Unix seconds, `from` included, `until` excluded.
    public var from: Int?
    public var until: Int?

    public init(action: String? = nil, user: Int64? = nil, from: Int? = nil, until: Int? = nil) {
        self.action = action
        self.user = user
        self.from = from
        self.until = until
    }
}

extension AuditLog {
    /// Entries older than `before` (newest first), at most `limit`, optionally about one user
    /// (`targetUser`) and narrowed by `filter`; the second value is the cursor for the next page
    /// (nil on the last page). Keyset on the id.
    public static func page(before: Int64?, limit: Int = 50, targetUser: Int64? = nil, filter: AuditFilter = AuditFilter(),
                            in db: any Connection) throws -> (entries: [AuditEntry], nextBefore: Int64?) {
        var sql = """
            SELECT l.id, l.action, l.actor_id, a.username AS actor_name, l.target_user, t.username AS target_name,
                   l.detail, l.remote_ip, l.created_at
            FROM audit_log l LEFT JOIN users a ON a.id = l.actor_id LEFT JOIN users t ON t.id = l.target_user
            WHERE l.id < ?
            """
        var params: [any SQLBindable] = [before ?? Int64.max]
        if let targetUser {
            sql += " AND l.target_user = ?"
            params.append(targetUser)
        }
        if let action = filter.action {
            sql += " AND l.action = ?"
            params.append(action)
        }
        if let user = filter.user {
            sql += " AND (l.target_user = ? OR l.actor_id = ?)"
            params += [user, user]
        }
        if let from = filter.from {
            sql += " AND l.created_at >= ?"
            params.append(from)
        }
        if let until = filter.until {
            sql += " AND l.created_at < ?"
            params.append(until)
        }
        sql += " ORDER BY l.id DESC LIMIT ?"
        params.append(limit + 1)
        let rows = try db.query(sql, params.map(\.sqlValue))
        let entries = try rows.prefix(limit).map { row in
            AuditEntry(id: try row.int64("id"), action: try row.string("action"), actorID: try row.optionalInt64("actor_id"),
                       actorName: try row.optionalString("actor_name"), targetID: try row.optionalInt64("target_user"),
                       targetName: try row.optionalString("target_name"), detail: try row.string("detail"),
                       remoteIP: try row.optionalString("remote_ip"), createdAt: try row.int("created_at"))
        }
        return (entries, rows.count > limit ? entries.last?.id : nil)
    }
}

extension AuditLog {
    /// The kinds of event recorded so far, for the filter's choices.
    public static func actions(in db: any Connection) throws -> [String] {
        try db.query("SELECT DISTINCT action FROM audit_log ORDER BY action").map { try $0.string("action") }
    }
}
