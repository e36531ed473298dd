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

// MARK: The users list: filters, sorts, substring search, pages both ways, a total

extension UserDirectory {
    /// The order of the users list.
    public enum Sort: String, Sendable, CaseIterable {
        case newest, oldest, username
    }

    /// Which users the list shows.
    public enum Filter: String, Sendable, CaseIterable {
        case all, admins, disabled, reconnect, expiring
        case mfaOn = "mfa-on", mfaOff = "mfa-off"
    }

    /// What the list shows: a filter, an order and a search (case-blind substring of the
    /// username, the email, a linked account's login or a provider uid).
    public struct Query: Sendable, Equatable {
        public var filter: Filter
        public var sort: Sort
        public var text: String

        public init(filter: Filter = .all, sort: Sort = .newest, text: String = "") {
            self.filter = filter
            self.sort = sort
            self.text = String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
        }
    }

    /// Where a page starts: after the row with this key (next) or before it (previous). The key
    /// is the id for the id orders, the folded username for `username`.
    public enum Cursor: Sendable, Equatable {
        case after(String), before(String)
    }

    /// One page of the list, the cursors of its neighbours, and how many users match in all.
    public struct ListPage: Sendable {
        public let users: [User]
        /// The cursor for the next page (nil on the last).
        public let next: Cursor?
        /// The cursor for the previous page (nil on the first).
        public let previous: Cursor?
        public let total: Int
    }

    /// `text` as a LIKE pattern matching it anywhere, with `%`, `_` and the escape character
    /// itself escaped, so a search for `50%_off` finds exactly that.
    public static func containsPattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }

    /// The WHERE clause and its parameters for `query` at `now`.
    static func conditions(_ query: Query, now: Int) -> (sql: String, params: [any SQLBindable]) {
        var clauses: [String] = [], params: [any SQLBindable] = []
        switch query.filter {
        case .all: break
        case .admins: clauses.append("is_admin = 1")
        case .disabled: clauses.append("is_disabled = 1")
        case .reconnect:
            // As the dashboard counts them: marked for reconnection, or expired with no way to refresh.
            clauses.append("""
                id IN (SELECT a.user_id FROM social_tokens t JOIN social_accounts a ON a.id = t.social_account_id
                       WHERE t.status = 'reconnect' OR (t.status = 'active' AND t.expires_at <= ? AND t.refresh_token_enc IS NULL))
                """)
            params.append(now)
        case .expiring:
            clauses.append("""
                id IN (SELECT a.user_id FROM social_tokens t JOIN social_accounts a ON a.id = t.social_account_id
                       WHERE \(AdminStatistics.expiringCondition))
                """)
            params += [now, now + AdminStatistics.soonWindow]
        case .mfaOn, .mfaOff:
            // A second factor one can sign in with: a confirmed authenticator app or a passkey
            // (recovery codes alone do not count, as in `SecondFactorStatus.isEnabled`).
            let on = """
                (id IN (SELECT user_id FROM totp_devices WHERE confirmed_at IS NOT NULL)
                 OR id IN (SELECT user_id FROM webauthn_credentials))
                """
            clauses.append(query.filter == .mfaOn ? on : "NOT " + on)
        }
        if !query.text.isEmpty {
            let pattern = containsPattern(UserRepository.key(query.text))
            clauses.append("""
                (username_key LIKE ? ESCAPE '\\' OR email_key LIKE ? ESCAPE '\\'
                 OR id IN (SELECT user_id FROM social_accounts WHERE lower(login) LIKE ? ESCAPE '\\' OR lower(provider_uid) LIKE ? ESCAPE '\\'))
                """)
            params += [pattern, pattern, pattern, pattern]
        }
        return (clauses.isEmpty ? "1 = 1" : clauses.joined(separator: " AND "), params)
    }

    /// One page of the list for `query` starting at `cursor` (the first page when nil).
    public static func list(_ query: Query, cursor: Cursor?, limit: Int = pageSize, now: Int, in db: any Connection) throws -> ListPage {
        let (condition, params) = conditions(query, now: now)
        let total = try db.queryOne("SELECT COUNT(*) FROM users WHERE \(condition)", params.map(\.sqlValue))?.int(0) ?? 0
        let (column, ascending) = switch query.sort {
        case .newest: ("id", false)
        case .oldest: ("id", true)
        case .username: ("username_key", true)
        }
        // Going back reads the neighbours in the opposite order, then turns them round.
        let backwards = if case .before = cursor { true } else { false }
        let readAscending = ascending != backwards
        var sql = "SELECT \(UserRepository.columns) FROM users WHERE \(condition)"
        var all = params
        switch cursor {
        case .after(let key), .before(let key):
            sql += " AND \(column) \(readAscending ? ">" : "<") ?"
            if column == "id" { all.append(Int64(key) ?? 0) } else { all.append(key) }
        case nil: break
        }
        sql += " ORDER BY \(column) \(readAscending ? "ASC" : "DESC") LIMIT ?"
        all.append(limit + 1)
        let rows = try db.query(sql, all.map(\.sqlValue))
        let more = rows.count > limit
        var users = try rows.prefix(limit).map(User.init)
        if backwards { users.reverse() }
        func key(_ user: User) -> String { column == "id" ? String(user.id) : UserRepository.key(user.username) }
        let next: Cursor? = (backwards || more) ? users.last.map { .after(key($0)) } : nil
        let previous: Cursor? = (backwards ? more : cursor != nil) ? users.first.map { .before(key($0)) } : nil
        return ListPage(users: users, next: next, previous: previous, total: total)
    }
}
