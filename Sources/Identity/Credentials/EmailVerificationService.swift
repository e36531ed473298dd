import Storage

/// Proving an address, for both apps, over `EmailVerification`: a code mailed with the account's
/// creation (in its transaction), new codes on request (limited per account), a check that
/// marks the address verified only if it is still the account's, and an address change that
/// makes it unverified again. The app says what to write in mail and what to record.
public struct EmailVerificationService<User: AccountHolder>: Sendable {
    /// Writes the mail carrying `code` to `user`.
    public typealias Message = @Sendable (User, _ code: String) -> MailMessage
    /// Work the app adds to a transaction of the flow (an audit row).
    public typealias Step = @Sendable (User, _ now: Int, any Connection) throws -> Void

    let database: any Database
    let clock: Clock
    let outbox: Outbox?
    let find: @Sendable (_ id: Int64, any Connection) throws -> User?

    /// Verification over `database`, mailing through `outbox` (nil: mail is off, and no code is
    /// ever sent, so addresses stay unverified unless an administrator vouches for them); `find`
    /// reads a user by id in a transaction.
    public init(database: any Database, clock: Clock, outbox: Outbox?, find: @escaping @Sendable (_ id: Int64, any Connection) throws -> User?) {
        self.database = database
        self.clock = clock
        self.outbox = outbox
        self.find = find
    }

    /// Whether codes can be sent at all (mail is on).
    public var isAvailable: Bool { outbox != nil }

    /// In `db`'s transaction (the account's creation, an address change): a code for the user's
    /// address, mailed. Nothing when mail is off or there is no address.
    public func issue(for user: User, now: Int, in db: any Connection, message: Message) throws {
        guard let outbox, let email = user.emailAddress else { return }
        let code = try EmailVerification.issue(userID: user.id, email: email, now: now, in: db)
        try outbox.enqueue(message(user, code), kind: "email_verification", userID: user.id, now: now, in: db)
    }

    /// Mails a new code for the user's unverified address (the old code dies); throws
    /// `TooManyCodes` past `EmailVerification.resendLimit`.
    public func resend(to user: User, message: @escaping Message) async throws {
        guard isAvailable, user.emailAddress != nil, !user.emailVerified else { return }
        let now = clock.now()
        try await database.write { db in
            if let wait = try EmailVerification.resendLimit.hit(String(user.id), now: now, in: db) { throw TooManyCodes(retryAfter: wait) }
            try issue(for: user, now: now, in: db, message: message)
        }
    }

    /// Checks a typed code; a right one marks the address verified if it is still the account's
    /// (else it reads as no live code), and `verified` runs in the same transaction.
    public func verify(_ user: User, code: String, verified: @escaping Step = { _, _, _ in }) async throws -> EmailVerification.Outcome {
        let now = clock.now()
        return try await database.write { db in
            let outcome = try EmailVerification.check(userID: user.id, typed: code, now: now, in: db)
            if case .verified(let email) = outcome {
                guard try EmailVerification.markVerified(userID: user.id, email: email, now: now, in: db) else { return .noLiveCode }
                try verified(user, now, db)
            }
            return outcome
        }
    }

    /// Gives the account a new address, unverified, and mails a code to it (`message`, with the
    /// user as they are afterwards); the old address is told (`notice`, with the user as they
    /// were), since a changed address is how an account is taken over. Throws `FieldErrors`
    /// for an address refused or already another account's. The caller checks the password first.
    public func changeAddress(of user: User, to rawEmail: String, message: @escaping Message,
                              notice: @escaping @Sendable (User) -> MailMessage) async throws -> User {
        let email = IdentityRules.trimmed(rawEmail)
        if let problem = IdentityRules.emailProblem(email) { throw FieldErrors("email", problem) }
        if user.emailAddress.map(IdentityRules.key) == IdentityRules.key(email) { throw FieldErrors("email", "That is already your address.") }
        let now = clock.now(), outbox = outbox, find = find
        do {
            return try await database.write { db in
                try EmailVerification.changeAddress(userID: user.id, to: email, now: now, in: db)
                guard let changed = try find(user.id, db) else { throw FieldErrors("email", "Your account no longer exists.") }
                try outbox?.notify(user, kind: "email_changed", now: now, in: db, notice)
                try issue(for: changed, now: now, in: db, message: message)
                return changed
            }
        } catch DatabaseError.uniqueViolation {
            throw FieldErrors("email", "An account with that email already exists.")
        }
    }
}
