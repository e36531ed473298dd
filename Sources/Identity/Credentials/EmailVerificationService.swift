import Localization
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

    // MARK: Moving to another address

    /// What entering a code did.
    public enum CodeOutcome: Sendable, Equatable {
        /// The account's own address is now verified.
        case verified
        /// The account moved to `email` (verified); the old address, if any, was told.
        case changed(email: String)
        /// Wrong; `remaining` tries are left.
        case wrong(remaining: Int)
        /// No live code: none was sent, it expired, or it was tried too often.
        case noLiveCode
        /// The new address was taken by another account while the code was on its way.
        case addressTaken
    }

    /// The address a code is on its way to, when it is not the account's own (a pending move).
    public func pendingChange(for user: User) async throws -> String? {
        let now = clock.now()
        let pending = try await database.read { db in try EmailVerification.pendingAddress(userID: user.id, now: now, in: db) }
        guard let pending, IdentityRules.key(pending) != user.emailAddress.map(IdentityRules.key) else { return nil }
        return pending
    }

    /// Starts moving `user` to `rawEmail`. Nothing about the account changes yet: a code goes to
    /// the new address (`message(user, address, code)`), and only that code makes the move. When
    /// another account already has the address, that address is told instead (`inUse`) and no
    /// code exists: the caller shows the same page either way, so nobody learns which addresses
    /// have accounts. `authorize` runs after the code budget is spent and before anything is
    /// written (the app checks the password there, so this form cannot guess passwords faster
    /// than `EmailVerification.resendLimit` allows); `recorded` adds the app's audit row. Throws
    /// `FieldErrors` (field `new_email`) or `TooManyCodes`; returns the address as stored.
    @discardableResult
    public func requestChange(of user: User, to rawEmail: String,
                              authorize: @Sendable () async throws -> Void = {},
                              message: @escaping @Sendable (User, _ address: String, _ code: String) -> MailMessage,
                              inUse: @escaping @Sendable (_ address: String) -> MailMessage,
                              recorded: @escaping Step = { _, _, _ in }) async throws -> String {
        guard let outbox else { throw FieldErrors("new_email", Localization.Message("Email is turned off on this site, so the address cannot be changed.")) }
        let email = IdentityRules.trimmed(rawEmail)
        if let problem = IdentityRules.emailProblem(email) { throw FieldErrors("new_email", problem) }
        if IdentityRules.key(email) == user.emailAddress.map(IdentityRules.key) { throw FieldErrors("new_email", Localization.Message("That is already your address.")) }
        let now = clock.now()
        if let wait = try await database.write({ db in try EmailVerification.resendLimit.hit(String(user.id), now: now, in: db) }) {
            throw TooManyCodes(retryAfter: wait)
        }
        try await authorize()
        try await database.write { db in
            if try EmailVerification.holder(of: email, in: db).map({ $0 != user.id }) == true {
                try outbox.enqueue(inUse(email), kind: "email_in_use", userID: nil, now: now, in: db)
            } else {
                let code = try EmailVerification.issue(userID: user.id, email: email, now: now, in: db)
                try outbox.enqueue(message(user, email, code), kind: "email_verification", userID: user.id, now: now, in: db)
            }
            try recorded(user, now, db)
        }
        return email
    }

    /// Checks a typed code. A right one verifies the account's address (`verified` runs in the
    /// same transaction), or, when it was sent to another address, moves the account there: the
    /// new address is verified, reset links mailed to the old one die, the old address gets
    /// `notice(user, oldAddress)`, and `changed` runs.
    public func enter(code: String, for user: User, notice: (@Sendable (User, _ oldAddress: String) -> MailMessage)? = nil,
                      verified: @escaping Step = { _, _, _ in }, changed: @escaping Step = { _, _, _ in }) async throws -> CodeOutcome {
        let now = clock.now(), outbox = outbox, find = find
        do {
            return try await database.write { db -> CodeOutcome in
                guard let current = try find(user.id, db) else { return .noLiveCode }
                switch try EmailVerification.check(userID: user.id, typed: code, now: now, in: db) {
                case .wrong(let remaining): return .wrong(remaining: remaining)
                case .noLiveCode: return .noLiveCode
                case .verified(let email) where IdentityRules.key(email) == current.emailAddress.map(IdentityRules.key):
                    guard try EmailVerification.markVerified(userID: user.id, email: email, now: now, in: db) else { return .noLiveCode }
                    try verified(current, now, db)
                    return .verified
                case .verified(let email):
                    if try EmailVerification.holder(of: email, in: db).map({ $0 != user.id }) == true { return .addressTaken }
                    try EmailVerification.moveAddress(userID: user.id, to: email, now: now, in: db)
                    // A reset link in the old mailbox must not outlive the move.
                    try PasswordResets.cancelAll(userID: user.id, now: now, in: db)
                    try changed(current, now, db)
                    if let outbox, let notice, let old = current.emailAddress {
                        try outbox.enqueue(notice(current, old), kind: "email_changed", userID: user.id, now: now, in: db)
                    }
                    return .changed(email: email)
                }
            }
        } catch DatabaseError.uniqueViolation {
            // Another account took the address between the check and the update.
            return .addressTaken
        }
    }

    /// Forgets a pending move (its code dies); the account keeps its address.
    public func cancelChange(for user: User) async throws {
        guard try await pendingChange(for: user) != nil else { return }
        try await database.write { db in try EmailVerification.cancel(userID: user.id, in: db) }
    }
}
