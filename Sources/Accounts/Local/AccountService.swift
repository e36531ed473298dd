import Foundation
import Runtime
import Security
import Storage
import Web

/// The outcome of a sign-in attempt. Every failure a person may see reads the same, so the form
/// never reveals whether a username exists.
public enum SignInOutcome: Sendable {
    case success(User)
    case invalidCredentials
    case disabled
    case throttled(retryAfter: Int)
}

/// Local accounts: sign-up, sign-in with a password, password changes.
public struct AccountService: Sendable {
    public static let maxUsernameLength = 30
    public static let maxEmailLength = 254

    let database: any Database
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let now: @Sendable () -> Int

    /// A service over `database`, hashing with `hasher` and limiting sign-ins with `throttle`.
    public init(database: any Database, hasher: PasswordHasher, throttle: LoginThrottle = LoginThrottle(),
                now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }) {
        self.database = database
        self.hasher = hasher
        self.throttle = throttle
        self.now = now
    }

    // MARK: Sign-up

    /// Creates a local account, or throws `FieldErrors`. Uniqueness is finally decided by the
    /// database's unique indexes, so two simultaneous sign-ups for one name cannot both win.
    public func signUp(username rawUsername: String, email rawEmail: String, password: String, confirmation: String,
                       ip: String) async throws -> User {
        let username = rawUsername.trimmingCharacters(in: .whitespaces)
        let email = rawEmail.trimmingCharacters(in: .whitespaces)
        var errors = FieldErrors()
        if let problem = Self.usernameProblem(username) { errors["username"] = problem }
        if let problem = Self.emailProblem(email) { errors["email"] = problem }
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

        let hasher = hasher
        let hash = try await blocking { hasher.hash(password) }
        let now = now()
        do {
            return try await database.write { db in
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

    static func usernameProblem(_ username: String) -> String? {
        if username.isEmpty { return "Choose a username." }
        if username.count > maxUsernameLength { return "Use at most \(maxUsernameLength) characters." }
        if username.count < 3 { return "Use at least 3 characters." }
        let allowed = username.unicodeScalars.allSatisfy { s in
            (s.isASCII && (CharacterSet.alphanumerics.contains(s))) || s == "_" || s == "-" || s == "."
        }
        return allowed ? nil : "Use only letters, digits, dots, dashes and underscores."
    }

    static func emailProblem(_ email: String) -> String? {
        if email.isEmpty { return "Enter your email address." }
        if email.utf8.count > maxEmailLength { return "That email address is too long." }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            return "Enter a valid email address, like name@example.com."
        }
        return nil
    }

    // MARK: Sign-in

    /// Checks a username and password. An unknown user costs the same hashing time as a wrong
    /// password; an outdated hash is upgraded on success.
    public func signIn(username rawUsername: String, password: String, ip: String) async throws -> SignInOutcome {
        let username = String(rawUsername.trimmingCharacters(in: .whitespaces).prefix(Self.maxUsernameLength + 1))
        let account = UserRepository.key(username)
        let now = now()
        let throttle = throttle
        if let wait = try await database.read({ db in try throttle.retryAfter(account: account, ip: ip, now: now, in: db) }) {
            return .throttled(retryAfter: wait)
        }
        let found = try await database.read { db in try UserRepository.credentials(username: username, in: db) }
        let hasher = hasher
        let candidate = String(password.prefix(PasswordPolicy.maximumLength))
        let verdict: PasswordVerification = try await blocking {
            guard let (_, hash) = found, let hash else {
                hasher.verifyDummy(candidate)
                return .invalid
            }
            return hasher.verify(candidate, against: hash)
        }
        guard let (user, _) = found, verdict != .invalid else {
            try await database.write { db in try throttle.recordFailure(account: account, ip: ip, now: now, in: db) }
            return .invalidCredentials
        }
        if user.isDisabled { return .disabled }
        let upgraded: String? = verdict == .validButNeedsRehash ? try await blocking { hasher.hash(candidate) } : nil
        try await database.write { db in
            try throttle.clear(account: account, in: db)
            if let upgraded { try UserRepository.setPasswordHash(upgraded, userID: user.id, now: now, in: db) }
            try AuditLog.record("login", actor: user.id, target: user.id, detail: "password", ip: ip, now: now, in: db)
        }
        return .success(user)
    }

    // MARK: Password change

    /// Changes a password after checking the current one, and ends every other session of the
    /// user (the caller rotates the current session's id).
    public func changePassword(userID: Int64, current: String, new: String, confirmation: String, keepingSession: String?,
                               ip: String) async throws {
        let stored = try await database.read { db in
            (try UserRepository.find(id: userID, in: db), try UserRepository.passwordHash(userID: userID, in: db))
        }
        guard let user = stored.0 else { throw FieldErrors("current_password", "Your account no longer exists.") }
        var errors = FieldErrors()
        let hasher = hasher
        if let hash = stored.1 {
            let currentCandidate = String(current.prefix(PasswordPolicy.maximumLength))
            let verdict = try await blocking { hasher.verify(currentCandidate, against: hash) }
            if verdict == .invalid { errors["current_password"] = "That is not your current password." }
        }
        if let problem = PasswordPolicy.problem(with: new, username: user.username) { errors["new_password"] = problem }
        if new != confirmation { errors["new_password_confirmation"] = "The two passwords do not match." }
        guard errors.isEmpty else { throw errors }
        let hash = try await blocking { hasher.hash(new) }
        let now = now()
        try await database.write { db in
            try UserRepository.setPasswordHash(hash, userID: userID, now: now, in: db)
            try SessionRepository.endAll(userID: userID, keeping: keepingSession, in: db)
            try AuditLog.record("password_changed", actor: userID, target: userID, ip: ip, now: now, in: db)
        }
    }
}

extension AccountService {
    /// Why a username is refused, for callers outside the sign-up form (the CLI).
    public static func usernameProblemText(_ username: String) -> String? { usernameProblem(username) }
    /// Why an email address is refused.
    public static func emailProblemText(_ email: String) -> String? { emailProblem(email) }
}
