import Foundation
import Identity
import Localization
import Storage

/// Local accounts: sign-up, sign-in with a password, password changes. The rules, hashing and
/// throttling are the identity core's (`IdentityRules`, `PasswordPolicy`, `Credentials`).
public struct AccountService: Sendable {
    let database: any Database
    let credentials: Credentials
    let clock: Clock
    let signUpLimit: RateLimit?
    /// Outbound mail (reset links, notices); nil when mail is off.
    let outbox: Outbox?
    /// The identity core's reset flow and address verification, over the site's users.
    let resets: PasswordResetService<User>
    let codes: EmailVerificationService<User>

    /// A service over `database`, hashing and throttling through `credentials`; `signUpLimit`
    /// bounds the accounts created per address.
    public init(database: any Database, credentials: Credentials, clock: Clock = .system, signUpLimit: RateLimit? = nil,
                outbox: Outbox? = nil) {
        self.database = database
        self.credentials = credentials
        self.clock = clock
        self.signUpLimit = signUpLimit
        self.outbox = outbox
        let find: @Sendable (Int64, any Connection) throws -> User? = { id, db in try UserRepository.find(id: id, in: db) }
        // A disabled account gets no link: it could not sign in with the new password anyway.
        resets = PasswordResetService(database: database, credentials: credentials, clock: clock, outbox: outbox, find: find) { identifier, db in
            try UserRepository.find(identifier: identifier, in: db).flatMap { $0.isDisabled ? nil : $0 }
        }
        codes = EmailVerificationService(database: database, clock: clock, outbox: outbox, find: find)
    }

    /// Whether features that need mail (password reset) are available.
    public var canSendMail: Bool { outbox != nil }

    // MARK: Sign-up

    /// How a sign-up ended (when it did not throw `FieldErrors`).
    public enum SignUpOutcome: Sendable, Equatable {
        /// A new account, its verification code mailed (when mail is on).
        case created(User)
        /// Another account has the address: no account was made, and the address was told
        /// instead. The caller shows the same "check your email" page as for `created`.
        case addressInUse
    }

    /// Mails about sign-ups to an address that already has an account, per address and hour: a
    /// stranger signing up again and again cannot flood the owner's inbox.
    public static let addressInUseLimit = RateLimit("signup_address_in_use", limit: 3, window: 3600)

    /// Creates a local account, or throws `FieldErrors`. Uniqueness is finally decided by the
    /// database's unique indexes, so two simultaneous sign-ups for one name cannot both win.
    ///
    /// An address another account already has is not an error the form shows (that would tell
    /// anyone which addresses have accounts): when mail is on, the owner is mailed `inUse` and
    /// the outcome is `addressInUse`, reached by the same work (a password hash, the same rate
    /// limit) as a real sign-up. With mail off there is nobody to tell, and the form says so.
    public func signUp(username rawUsername: String, email rawEmail: String, password: String, confirmation: String, ip: String,
                       verification: (@Sendable (User, _ code: String) -> MailMessage)? = nil,
                       inUse: (@Sendable (_ address: String) -> MailMessage)? = nil) async throws -> SignUpOutcome {
        let username = IdentityRules.trimmed(rawUsername)
        let email = IdentityRules.trimmed(rawEmail)
        var errors = FieldErrors()
        if let problem = IdentityRules.usernameProblem(username) { errors["username"] = problem }
        if let problem = IdentityRules.emailProblem(email) { errors["email"] = problem }
        if let problem = PasswordPolicy.problem(with: password, username: username) { errors["password"] = problem }
        if password != confirmation { errors["password_confirmation"] = Message("The two passwords do not match.") }
        var addressInUse = false
        // Every problem in one round: a well-formed name or address is looked up even when
        // another field is wrong, so a taken username is not news on the second try.
        let checkName = errors["username"] == nil, checkEmail = errors["email"] == nil
        if checkName || checkEmail {
            let (byName, byEmail) = try await database.read { db in
                (checkName ? try UserRepository.find(username: username, in: db) : nil,
                 checkEmail ? try UserRepository.find(email: email, in: db) : nil)
            }
            if byName != nil { errors["username"] = Message("That username is taken.") }
            if byEmail != nil {
                if outbox != nil && inUse != nil { addressInUse = true } else { errors["email"] = Self.emailTaken }
            }
        }
        guard errors.isEmpty else { throw errors }
        let now = clock.now()
        let limit = signUpLimit
        if let limit, let wait = try await database.read({ db in try limit.wait(ip, now: now, in: db) }) {
            throw TooManySignUps(retryAfter: wait)
        }

        let hash = try await credentials.hash(password)
        let outbox = outbox
        if addressInUse, let outbox, let inUse {
            try await database.write { db in
                if let wait = try limit?.hit(ip, now: now, in: db) { throw TooManySignUps(retryAfter: wait) }
                guard try Self.addressInUseLimit.hit(IdentityRules.key(email), now: now, in: db) == nil else { return }
                try outbox.enqueue(inUse(email), kind: "email_in_use", userID: nil, now: now, in: db)
            }
            return .addressInUse
        }
        do {
            return .created(try await database.write { db in
                if let wait = try limit?.hit(ip, now: now, in: db) { throw TooManySignUps(retryAfter: wait) }
                let user = try UserRepository.insert(username: username, email: email, emailVerified: false, passwordHash: hash,
                                                     isAdmin: false, now: now, in: db)
                try AuditLog.record("signup", actor: user.id, target: user.id, ip: ip, now: now, in: db)
                // The address is proven by a code, mailed with the account's creation.
                if let message = verification { try codes.issue(for: user, now: now, in: db, message: message) }
                return user
            })
        } catch let DatabaseError.uniqueViolation(constraint) {
            // Lost a race with a simultaneous sign-up. For the address, the winner is the owner
            // now: answer as if it had been there all along.
            if constraint?.contains("email") == true {
                if outbox != nil, inUse != nil { return .addressInUse }
                throw FieldErrors("email", Self.emailTaken)
            }
            throw FieldErrors("username", Message("That username is taken."))
        }
    }

    static let emailTaken = Message("An account with that email already exists. Sign in instead?")

    // MARK: Sign-in

    /// Checks a username and password (see `Credentials.signIn`): a disabled account with the
    /// right password is `refused`, and nothing is recorded for it.
    public func signIn(username: String, password: String, ip: String) async throws -> PasswordCheck<User> {
        try await credentials.signIn(
            username: username, password: password, ip: ip, id: { $0.id },
            find: { identifier, db in try UserRepository.credentials(identifier: identifier, in: db).map { ($0.0, passwordHash: $0.1) } },
            admit: { !$0.isDisabled },
            onSuccess: { user, now, db in try AuditLog.record("login", actor: user.id, target: user.id, detail: "password", ip: ip, now: now, in: db) },
            onFailure: { failure, db in try AuditLog.record(failure, method: "password", ip: ip, in: db) })
    }

    // MARK: Password change

    /// Changes a password after checking the current one, and ends every other session of the
    /// user and revokes their API tokens (the caller rotates the current session's id).
    public func changePassword(userID: Int64, current: String, new: String, confirmation: String, keepingSession: String?,
                               ip: String, notice: (@Sendable (User) -> MailMessage)? = nil) async throws {
        let stored = try await database.read { db in
            (try UserRepository.find(id: userID, in: db), try Credentials.storedHash(userID: userID, in: db))
        }
        guard let user = stored.0 else { throw FieldErrors("current_password", Message("Your account no longer exists.")) }
        var errors = FieldErrors()
        if let hash = stored.1, try await !credentials.matches(current, stored: hash) {
            errors["current_password"] = Message("That is not your current password.")
        }
        if let problem = PasswordPolicy.problem(with: new, username: user.username) { errors["new_password"] = problem }
        if new != confirmation { errors["new_password_confirmation"] = Message("The two passwords do not match.") }
        guard errors.isEmpty else { throw errors }
        let hash = try await credentials.hash(new)
        let now = clock.now()
        try await database.write { db in
            try Credentials.replace(hash, userID: userID, keepingSession: keepingSession, now: now, in: db)
            let tokens = try APITokenRepository.revokeAll(userID: userID, now: now, in: db)
            try AuditLog.record("password_changed", actor: userID, target: userID, detail: "api_tokens_revoked=\(tokens)", ip: ip, now: now, in: db)
            // The owner hears of it at their address (it may not have been them at the keyboard).
            if let notice { try outbox?.notify(user, kind: "password_changed", now: now, in: db, notice) }
        }
    }

    // MARK: Email verification

    /// Mails a new code for the user's address (the old one dies); throws `TooManyCodes` when
    /// asked too often.
    public func sendVerificationCode(to user: User, message: @escaping @Sendable (User, _ code: String) -> MailMessage) async throws {
        try await codes.resend(to: user, message: message)
    }

    // MARK: Password reset

    /// Mails a reset link to the account named by `identifier` (a username or an email address),
    /// if there is one with an address, not disabled, and not asked for too often. Says nothing
    /// either way: the caller shows the same page whatever happened (no enumeration); throws
    /// `TooManyResetRequests` when this address asks too often. `message(user, token)` composes the mail.
    public func requestPasswordReset(identifier: String, ip: String,
                                     message: @escaping @Sendable (User, _ token: String) -> MailMessage) async throws {
        try await resets.request(identifier: identifier, ip: ip, message: message) { user, now, db in
            try AuditLog.record("password_reset_requested", actor: nil, target: user.id, ip: ip, now: now, in: db)
        }
    }

    /// The account a live reset link belongs to, to show its form; nil when the link is dead.
    public func resetLinkHolder(_ token: String) async throws -> User? {
        try await resets.holder(of: token)
    }

    /// Sets a new password through a reset link: the link is used up, every session ends and every
    /// API token is revoked, and the owner is told by mail (`notice`). Throws `FieldErrors`; nil
    /// when the link is not live.
    public func resetPassword(token: String, new: String, confirmation: String, ip: String,
                              notice: @escaping @Sendable (User) -> MailMessage) async throws -> User? {
        try await resets.reset(token: token, new: new, confirmation: confirmation, revoke: { user, now, db in
            // The link proved the mailbox: an account nobody had proven is settled now.
            try Self.settleOwnership(of: user, keepingSession: nil, ip: ip, now: now, in: db)
            let tokens = try APITokenRepository.revokeAll(userID: user.id, now: now, in: db)
            try AuditLog.record("password_reset", actor: user.id, target: user.id, detail: "api_tokens_revoked=\(tokens)", ip: ip, now: now, in: db)
        }, notice: notice)
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
