import Accounts
import Foundation
import Identity
import Localization
import Storage
import Web

/// Creating administrators from the command line (`latchkey create-admin`).
public enum AdminAccounts {
    /// Creates an admin with a password (checked against the password policy), or promotes an
    /// existing user with that username to admin after setting the password.
    public static func create(username: String, email: String, password: String, services: SiteServices) async throws -> (User, created: Bool) {
        if let problem = IdentityRules.usernameProblem(username) { throw FieldErrors("username", problem) }
        if let problem = IdentityRules.emailProblem(email) { throw FieldErrors("email", problem) }
        if let problem = PasswordPolicy.problem(with: password, username: username) { throw FieldErrors("password", problem) }
        let hash = try await services.credentials.hash(password)
        let now = services.clock.now()
        return try await services.database.write { db in
            if let existing = try UserRepository.find(username: username, in: db) {
                try UserRepository.setAdmin(true, userID: existing.id, now: now, in: db)
                try Credentials.store(hash, userID: existing.id, now: now, in: db)
                try AuditLog.record("admin_granted", actor: nil, target: existing.id, detail: "cli", ip: nil, now: now, in: db)
                return (try UserRepository.find(id: existing.id, in: db)!, false)
            }
            // A taken email would otherwise surface as a bare unique-constraint error.
            if try UserRepository.find(email: email, in: db) != nil {
                throw FieldErrors("email", Message("An account with that email already exists."))
            }
            let user = try UserRepository.insert(username: username, email: email, emailVerified: false, passwordHash: hash,
                                                 isAdmin: true, now: now, in: db)
            try AuditLog.record("admin_created", actor: nil, target: user.id, detail: "cli", ip: nil, now: now, in: db)
            return (user, true)
        }
    }
}
