import Accounts
import Foundation
import Storage

enum TestSiteError: Error { case addressInUse }

extension TestSite {
    /// The password test accounts get unless a test says otherwise (passes the policy).
    static let password = "correct horse battery"

    /// Creates a local account through the account service, skipping the form, for tests about
    /// something else; `admin` promotes it.
    @discardableResult
    func createUser(_ username: String, email: String? = nil, password: String = TestSite.password, admin: Bool = false) async throws -> User {
        guard case .created(var user) = try await services.accounts.signUp(
            username: username, email: email ?? "\(username.lowercased())@example.com", password: password, confirmation: password,
            ip: "192.0.2.1") else { throw TestSiteError.addressInUse }
        if admin {
            let id = user.id
            try await services.database.write { db in try UserRepository.setAdmin(true, userID: id, now: 0, in: db) }
            user.isAdmin = true
        }
        return user
    }

    /// The stored user named `username` (case-insensitively), if any.
    func user(_ username: String) async throws -> User? {
        try await services.database.read { db in try UserRepository.find(username: username, in: db) }
    }

    /// The stored password hash of `username`.
    func passwordHash(of username: String) async throws -> String? {
        try await query("SELECT password_hash FROM users WHERE username_key = ?", username.lowercased()).first?.optionalString("password_hash")
    }

    /// How many sessions are stored for `username`.
    func sessionCount(of username: String) async throws -> Int {
        try await query("SELECT COUNT(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username_key = ?",
                        username.lowercased()).first?.int("n") ?? 0
    }

    /// How many audit entries record `action`.
    func auditCount(_ action: String) async throws -> Int {
        try await query("SELECT COUNT(*) AS n FROM audit_log WHERE action = ?", action).first?.int("n") ?? 0
    }
}
