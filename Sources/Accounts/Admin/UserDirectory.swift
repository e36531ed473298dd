import Storage

/// The admin console's user queries, written to stay fast with millions of rows: keyset
/// pagination on the primary key (`id > after … LIMIT n`, never OFFSET) and prefix search as
/// index range scans (`key >= prefix AND key < prefix + U+10FFFF`, never `LIKE '%…%'`).
public enum UserDirectory {
    /// Users per page.
    public static let pageSize = 50

    /// One page of users, in id order, and the cursor for the next one (nil on the last page).
    public struct Page: Sendable {
        public let users: [User]
        public let nextAfter: Int64?
    }

    /// Users with `id > after`, in id order.
    public static func page(after: Int64?, limit: Int = pageSize, in db: any Connection) throws -> Page {
        let rows = try db.query("SELECT \(UserRepository.columns) FROM users WHERE id > ? ORDER BY id LIMIT ?", after ?? 0, limit + 1)
        return try page(rows, limit: limit)
    }

    /// Users whose username, email, linked-account login (all case-blind) or provider uid starts
    /// with `text`, with `id > after`, in id order. Each of the four is one index range scan.
    public static func search(_ text: String, after: Int64?, limit: Int = pageSize, in db: any Connection) throws -> Page {
        let trimmed = String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        guard !trimmed.isEmpty else { return try page(after: after, limit: limit, in: db) }
        let folded = UserRepository.key(trimmed)
        // Byte order on both dialects, so a range is exactly a prefix (PostgreSQL's default
        // collation would order by locale rules; 003_api.postgres.sql has matching "C" indexes).
        let c = db.dialect == .postgres ? " COLLATE \"C\"" : ""
        let cursor = after ?? 0
        let sql = """
            SELECT \(UserRepository.columns) FROM users WHERE id IN (
                SELECT id FROM users WHERE username_key\(c) >= ? AND username_key\(c) < ? AND id > ?
                UNION SELECT id FROM users WHERE email_key\(c) >= ? AND email_key\(c) < ? AND id > ?
                UNION SELECT user_id FROM social_accounts WHERE lower(login)\(c) >= ? AND lower(login)\(c) < ? AND user_id > ?
                UNION SELECT user_id FROM social_accounts WHERE provider_uid\(c) >= ? AND provider_uid\(c) < ? AND user_id > ?
            ) ORDER BY id LIMIT ?
            """
        let rows = try db.query(sql, folded, upperBound(folded), cursor, folded, upperBound(folded), cursor,
                                folded, upperBound(folded), cursor, trimmed, upperBound(trimmed), cursor, limit + 1)
        return try page(rows, limit: limit)
    }

    /// The smallest string above every string that starts with `prefix` (in byte order).
    static func upperBound(_ prefix: String) -> String { prefix + "\u{10FFFF}" }

    private static func page(_ rows: [Row], limit: Int) throws -> Page {
        let users = try rows.prefix(limit).map(User.init)
        return Page(users: users, nextAfter: rows.count > limit ? users.last?.id : nil)
    }

    /// The providers each of `userIDs` has linked, for the users list.
    public static func providers(of userIDs: [Int64], in db: any Connection) throws -> [Int64: [String]] {
        guard !userIDs.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: userIDs.count).joined(separator: ", ")
        var result: [Int64: [String]] = [:]
        for row in try db.query("SELECT user_id, provider FROM social_accounts WHERE user_id IN (\(marks)) ORDER BY provider",
                                userIDs.map(\.sqlValue)) {
            result[try row.int64("user_id"), default: []].append(try row.string("provider"))
        }
        return result
    }
}
