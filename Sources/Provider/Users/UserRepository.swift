import Identity
import Storage

/// SQL for the provider's `users` table. Methods take a `Connection`, so callers choose the
/// transaction; they run on the worker pool inside `Database.read`/`write`.
enum UserRepository {
    static let columns = "id, username, email, email_verified, name, is_admin, created_at"

    /// The case-folded form stored in the unique `*_key` columns.
    static func key(_ text: String) -> String { IdentityRules.key(text) }

    static func find(id: Int64, in db: any Connection) throws -> ProviderUser? {
        try db.queryOne("SELECT \(columns) FROM users WHERE id = ?", id).map(ProviderUser.init)
    }

    static func find(username: String, in db: any Connection) throws -> ProviderUser? {
        try db.queryOne("SELECT \(columns) FROM users WHERE username_key = ?", key(username)).map(ProviderUser.init)
    }

    static func find(email: String, in db: any Connection) throws -> ProviderUser? {
        try db.queryOne("SELECT \(columns) FROM users WHERE email_key = ?", key(email)).map(ProviderUser.init)
    }

    /// The user named by `identifier`: an email address when it has an `@` (usernames cannot),
    /// else a username.
    static func find(identifier: String, in db: any Connection) throws -> ProviderUser? {
        identifier.contains("@") ? try find(email: identifier, in: db) : try find(username: identifier, in: db)
    }

    /// The user and their password hash, for sign-in only.
    static func credentials(username: String, in db: any Connection) throws -> (ProviderUser, String)? {
        guard let row = try db.queryOne("SELECT \(columns), password_hash FROM users WHERE username_key = ?", key(username)) else { return nil }
        return (try ProviderUser(row: row), try row.string("password_hash"))
    }

    /// Inserts a user; a taken username or email surfaces as `DatabaseError.uniqueViolation`.
    static func insert(_ new: NewUser, passwordHash: String, now: Int, in db: any Connection) throws -> ProviderUser {
        let id = try db.insert("""
            INSERT INTO users (username, username_key, email, email_key, email_verified, name, password_hash, is_admin, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, new.username, key(new.username), new.email, key(new.email), new.emailVerified, new.name, passwordHash,
            new.isAdmin, now, now)
        guard let user = try find(id: id, in: db) else { throw DatabaseError.sql(code: 0, message: "inserted user vanished") }
        return user
    }
}

/// What it takes to create a user.
public struct NewUser: Sendable {
    /// 3 to 30 letters, digits, dots, dashes and underscores.
    public var username: String
    /// The email address.
    public var email: String
    /// A display name; may be empty.
    public var name: String
    /// Whether the address is already known to be theirs.
    public var emailVerified: Bool
    /// Whether the user may manage clients.
    public var isAdmin: Bool

    /// A user description; sign-up makes unverified non-admins, the CLI may choose.
    public init(username: String, email: String, name: String = "", emailVerified: Bool = false, isAdmin: Bool = false) {
        self.username = username
        self.email = email
        self.name = name
        self.emailVerified = emailVerified
        self.isAdmin = isAdmin
    }
}
