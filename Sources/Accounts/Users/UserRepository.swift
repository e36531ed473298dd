import Foundation
import Identity
import Storage

/// SQL for the `users` table. Methods take a `Connection`, so callers choose the transaction;
/// they run on the worker pool inside `Database.read`/`write`.
public enum UserRepository {
    static let columns = "id, username, email, email_verified, password_hash, is_admin, is_disabled, created_at, deleted_at"

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

    /// Marks the user's address as proven.
    public static func setEmailVerified(userID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE users SET email_verified = 1, updated_at = ? WHERE id = ?", now, userID)
    }

    /// Replaces the user's address with one just proven (`verified` says so).
    public static func setEmail(_ email: String, verified: Bool, userID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE users SET email = ?, email_key = ?, email_verified = ?, updated_at = ? WHERE id = ?",
                       email, key(email), verified, now, userID)
    }

    public static func setAdmin(_ isAdmin: Bool, userID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE users SET is_admin = ?, updated_at = ? WHERE id = ?", isAdmin, now, userID)
    }

    public static func setDisabled(_ disabled: Bool, userID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE users SET is_disabled = ?, updated_at = ? WHERE id = ?", disabled, now, userID)
    }

    /// Deletes the user's row, and with it (ON DELETE CASCADE) everything tied to the account:
    /// sessions, linked accounts and their tokens, API tokens, codes, links, second factors.
    /// A tombstone takes the same id (no name, no address, no password, disabled), so the id is
    /// never handed to someone else and the audit log keeps meaning what it said.
    static func replaceWithTombstone(_ user: User, now: Int, in db: any Connection) throws {
        try db.execute("DELETE FROM users WHERE id = ?", user.id)
        // Brackets and spaces are not allowed in usernames, so no one can sign up as a tombstone.
        let name = "[deleted #\(user.id)]"
        try db.execute("""
            INSERT INTO users (id, username, username_key, email, email_key, email_verified, password_hash, is_admin, is_disabled,
                               created_at, updated_at, deleted_at)
            VALUES (?, ?, ?, NULL, NULL, 0, NULL, 0, 1, ?, ?, ?)
            """, user.id, name, name, user.createdAt, now, now)
    }

    /// How many enabled administrators there are other than `userID`.
    static func otherActiveAdmins(than userID: Int64, in db: any Connection) throws -> Int {
        try db.queryOne("SELECT COUNT(*) FROM users WHERE is_admin = 1 AND is_disabled = 0 AND id <> ?", userID)?.int(0) ?? 0
    }
}
