import Foundation
import Identity
import Storage

/// SQL for the `users` table. Methods take a `Connection`, so callers choose the transaction;
/// they run on the worker pool inside `Database.read`/`write`.
public enum UserRepository {
    static let columns = "id, username, email, email_verified, password_hash, is_admin, is_disabled, created_at"

    /// The case-folded form stored in the unique `*_key` columns.
    public static func key(_ text: String) -> String { IdentityRules.key(text) }

    public static func find(id: Int64, in db: any Connection) throws -> User? {
        try db.queryOne("SELECT \(columns) FROM users WHERE id = ?", id).map(User.init)
    }

    public static func find(username: String, in db: any Connection) throws -> User? {
        try db.queryOne("SELECT \(columns) FROM users WHERE username_key = ?", key(username)).map(User.init)
    }

    public static func find(email: String, in db: any Connection) throws -> User? {
        try db.queryOne("SELECT \(columns) FROM users WHERE email_key = ?", key(email)).map(User.init)
    }

    /// The user named by `identifier`: an email address when it has an `@` (usernames cannot),
    /// else a username.
    public static func find(identifier: String, in db: any Connection) throws -> User? {
        identifier.contains("@") ? try find(email: identifier, in: db) : try find(username: identifier, in: db)
    }

    /// The user (by username or email) and their password hash, for sign-in only.
    static func credentials(identifier: String, in db: any Connection) throws -> (User, String?)? {
        let column = identifier.contains("@") ? "email_key" : "username_key"
        guard let row = try db.queryOne("SELECT \(columns) FROM users WHERE \(column) = ?", key(identifier)) else { return nil }
        return (try User(row: row), try row.optionalString("password_hash"))
    }

    /// Inserts a user; a taken username or email surfaces as `DatabaseError.uniqueViolation`.
    public static func insert(username: String, email: String?, emailVerified: Bool, passwordHash: String?, isAdmin: Bool,
                              now: Int, in db: any Connection) throws -> User {
        let id = try db.insert("""
            INSERT INTO users (username, username_key, email, email_key, email_verified, password_hash, is_admin, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, username, key(username), email, email.map(key), emailVerified, passwordHash, isAdmin, now, now)
        guard let user = try find(id: id, in: db) else { throw DatabaseError.sql(code: 0, message: "inserted user vanished") }
        return user
    }

    public static func setAdmin(_ isAdmin: Bool, userID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE users SET is_admin = ?, updated_at = ? WHERE id = ?", isAdmin, now, userID)
    }

    public static func setDisabled(_ disabled: Bool, userID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE users SET is_disabled = ?, updated_at = ? WHERE id = ?", disabled, now, userID)
    }
}
