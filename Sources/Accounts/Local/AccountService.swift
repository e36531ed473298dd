import Foundation
import Identity
import Storage

/// Local accounts: sign-up, sign-in with a password, password changes. The rules, hashing and
/// throttling are the identity core's (`IdentityRules`, `PasswordPolicy`, `Credentials`).
public struct AccountService: Sendable {
    let database: any Database
    let credentials: Credentials
    let clock: Clock
    let signUpLimit: RateLimit?

    /// A service over `database`, hashing and throttling through `credentials`; `signUpLimit`
    /// bounds the accounts created per address.
    public init(database: any Database, credentials: Credentials, clock: Clock = .system, signUpLimit: RateLimit? = nil) {
        self.database = database
        self.credentials = credentials
        self.clock = clock
        self.signUpLimit = signUpLimit
    }

    // MARK: Sign-up

    /// Creates a local account, or throws `FieldErrors`. Uniqueness is finally decided by the
    /// database's unique indexes, so two simultaneous sign-ups for one name cannot both win.
    public func signUp(username rawUsername: String, email rawEmail: String, password: String, confirmation: String,
                       ip: String) async throws -> User {
        let username = IdentityRules.trimmed(rawUsername)
        let email = IdentityRules.trimmed(rawEmail)
        var errors = FieldErrors()
        if let problem = IdentityRules.usernameProblem(username) { errors["username"] = problem }
        if let problem = IdentityRules.emailProblem(email) { errors["email"] = problem }
        if let problem = PasswordPolicy.problem(with: password, username: username) { errors["password"] = problem }
        if password != confirmation { errors["password_confirmation"] = "The two passwords do not match." }
        if errors.isEmpty {
            let (byName, byEmail) = try await database.read { db in
                (try UserRepository.find(username: username, in: db), try UserRepository.find(email: email, in: db))
            }
            if byName != nil { errors["username"] = "That username is taken." }
            if byEmail != nil { errors["email"] = "An account with that email already exists. Sign in instead?" }
        }
        guard errors.isEmpty else { throw errors }
        let now = clock.now()
        let limit = signUpLimit
        if let limit, let wait = try await database.read({ db in try limit.wait(ip, now: now, in: db) }) {
            throw TooManySignUps(retryAfter: wait)
        }

        let hash = try await credentials.hash(password)
        do {
            return try await database.write { db in
                if let wait = try limit?.hit(ip, now: now, in: db) { throw TooManySignUps(retryAfter: wait) }
                let user = try UserRepository.insert(username: username, email: email, emailVerified: false, passwordHash: hash,
                                                     isAdmin: false, now: now, in: db)
                try AuditLog.record("signup", actor: user.id, target: user.id, ip: ip, now: now, in: db)
                return user
            }
        } catch let DatabaseError.uniqueViolation(constraint) {
            // Lost a race with a simultaneous sign-up: same message as the early check.
            if constraint?.contains("email") == true { throw FieldErrors("email", "An account with that email already exists. Sign in instead?") }
            throw FieldErrors("username", "That username is taken.")
        }
    }

    // MARK: Sign-in

    /// Checks a username and password (see `Credentials.signIn`): a disabled account with the
    /// right password is `refused`, and nothing is recorded for it.
    public func signIn(username: String, password: String, ip: String) async throws -> PasswordCheck<User> {
        try await credentials.signIn(
            username: username, password: password, ip: ip, id: { $0.id },
            find: { name, db in try UserRepository.credentials(username: name, in: db).map { ($0.0, passwordHash: $0.1) } },
            admit: { !$0.isDisabled },
            onSuccess: { user, now, db in try AuditLog.record("login", actor: user.id, target: user.id, detail: "password", ip: ip, now: now, in: db) })
    }

    // MARK: Password change

    /// Changes a password after checking the current one, and ends every other session of the
    /// user and revokes their API tokens (the caller rotates the current session's id).
    public func changePassword(userID: Int64, current: String, new: String, confirmation: String, keepingSession: String?,
                               ip: String) async throws {
        let stored = try await database.read { db in
            (try UserRepository.find(id: userID, in: db), try Credentials.storedHash(userID: userID, in: db))
        }
        guard let user = stored.0 else { throw FieldErrors("current_password", "Your account no longer exists.") }
        var errors = FieldErrors()
        if let hash = stored.1, try await !credentials.matches(current, stored: hash) {
            errors["current_password"] = "That is not your current password."
        }
        if let problem = PasswordPolicy.problem(with: new, username: user.username) { errors["new_password"] = problem }
        if new != confirmation { errors["new_password_confirmation"] = "The two passwords do not match." }
        guard errors.isEmpty else { throw errors }
        let hash = try await credentials.hash(new)
        let now = clock.now()
        try await database.write { db in
            try Credentials.store(hash, userID: userID, now: now, in: db)
            try SessionRepository.endAll(userID: userID, keeping: keepingSession, in: db)
            let tokens = try APITokenRepository.revokeAll(userID: userID, now: now, in: db)
            try AuditLog.record("password_changed", actor: userID, target: userID, detail: "api_tokens_revoked=\(tokens)", ip: ip, now: now, in: db)
        }
    }

    // MARK: Sessions and API tokens

    /// "Sign out everywhere else": ends every session but `keeping` and revokes every API token.
    public func signOutElsewhere(userID: Int64, keeping: String?, ip: String) async throws -> (sessions: Int, apiTokens: Int) {
        let now = clock.now()
        return try await database.write { db in
            let sessions = try SessionRepository.endAll(userID: userID, keeping: keeping, in: db)
            let tokens = try APITokenRepository.revokeAll(userID: userID, now: now, in: db)
            try AuditLog.record("sessions_ended", actor: userID, target: userID, detail: "others=\(sessions) api_tokens=\(tokens)", ip: ip,
                                now: now, in: db)
            return (sessions, tokens)
        }
    }

    /// The user's live API tokens.
    public func apiTokens(userID: Int64) async throws -> [APIToken] {
        let now = clock.now()
        return try await database.read { db in try APITokenRepository.live(userID: userID, now: now, in: db) }
    }

    /// Revokes one of the user's API tokens; false when it was not theirs or already revoked.
    public func revokeAPIToken(id: Int64, userID: Int64, ip: String) async throws -> Bool {
        let now = clock.now()
        return try await database.write { db in
            guard try APITokenRepository.revoke(id: id, userID: userID, now: now, in: db) else { return false }
            try AuditLog.record("api_token_revoked", actor: userID, target: userID, detail: "id=\(id)", ip: ip, now: now, in: db)
            return true
        }
    }
}
