import Identity
import Storage

/// The account's address: proving it by code, and moving to another one. A move is a code sent
/// to the new address; only when that code comes back does the new address replace the old,
/// verified, and the old address hears of it. Until then nothing about the account changes.
extension AccountService {
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
    public func pendingEmailChange(for user: User) async throws -> String? {
        let now = clock.now()
        let pending = try await database.read { db in try EmailVerification.pendingAddress(userID: user.id, now: now, in: db) }
        return Self.pendingEmailChange(pending, for: user)
    }

    /// `pending` (what `EmailVerification.pendingAddress` read) when it is a move to another
    /// address, for a caller that reads it with other things in one transaction.
    public static func pendingEmailChange(_ pending: String?, for user: User) -> String? {
        guard let pending, pending.lowercased() != user.email?.lowercased() else { return nil }
        return pending
    }

    /// Starts moving `userID` to `newEmail`: checks the address (and the password, when the
    /// account has one, since a borrowed session must not be enough to take the account's mail),
    /// then mails a code to the new address. When another account already uses the address, that
    /// address is told instead and no code exists: the page looks the same either way, so nobody
    /// learns which addresses have accounts. Throws `FieldErrors` or `TooManyCodes`; returns the
    /// address as it will be stored.
    @discardableResult
    public func requestEmailChange(userID: Int64, newEmail raw: String, password: String, ip: String,
                                   code message: @escaping @Sendable (User, _ address: String, _ code: String) -> MailMessage,
                                   inUse: @escaping @Sendable (_ address: String) -> MailMessage) async throws -> String {
        guard let outbox else { throw FieldErrors("new_email", "Email is turned off on this site, so the address cannot be changed.") }
        let email = IdentityRules.trimmed(raw)
        let stored = try await database.read { db in
            (try UserRepository.find(id: userID, in: db), try Credentials.storedHash(userID: userID, in: db))
        }
        guard let user = stored.0 else { throw FieldErrors("new_email", "Your account no longer exists.") }
        var errors = FieldErrors()
        if let problem = IdentityRules.emailProblem(email) {
            errors["new_email"] = problem
        } else if IdentityRules.key(email) == user.email.map(IdentityRules.key) {
            errors["new_email"] = "That is already your address."
        }
        guard errors.isEmpty else { throw errors }
        let now = clock.now()
        // The code budget is spent before the password is checked, so this form cannot be used
        // to guess the password faster than the sign-in page allows.
        if let wait = try await database.write({ db in try EmailVerification.resendLimit.hit(String(userID), now: now, in: db) }) {
            throw TooManyCodes(retryAfter: wait)
        }
        if let hash = stored.1, try await !credentials.matches(password, stored: hash) {
            throw FieldErrors("email_password", "That is not your current password.")
        }
        try await database.write { db in
            if let holder = try UserRepository.find(email: email, in: db), holder.id != userID {
                try outbox.enqueue(inUse(email), kind: "email_in_use", userID: nil, now: now, in: db)
                try AuditLog.record("email_change_requested", actor: userID, target: userID, detail: "address_in_use", ip: ip, now: now, in: db)
                return
            }
            let code = try EmailVerification.issue(userID: userID, email: email, now: now, in: db)
            try outbox.enqueue(message(user, email, code), kind: "email_verification", userID: userID, now: now, in: db)
            try AuditLog.record("email_change_requested", actor: userID, target: userID, ip: ip, now: now, in: db)
        }
        return email
    }

    /// Checks a typed code. A right one verifies the account's address, or, when it was sent to
    /// another address, moves the account there: the new address is verified, reset links and
    /// codes mailed to the old one die, and the old address gets `notice(user, oldAddress)`.
    public func enterEmailCode(userID: Int64, code: String, ip: String,
                               notice: (@Sendable (User, _ oldAddress: String) -> MailMessage)? = nil) async throws -> CodeOutcome {
        let now = clock.now()
        let outbox = outbox
        do {
            return try await database.write { db -> CodeOutcome in
                guard let user = try UserRepository.find(id: userID, in: db) else { return .noLiveCode }
                switch try EmailVerification.check(userID: userID, typed: code, now: now, in: db) {
                case .wrong(let remaining): return .wrong(remaining: remaining)
                case .noLiveCode: return .noLiveCode
                case .verified(let email) where IdentityRules.key(email) == user.email.map(IdentityRules.key):
                    try UserRepository.setEmailVerified(userID: userID, now: now, in: db)
                    try AuditLog.record("email_verified", actor: userID, target: userID, ip: ip, now: now, in: db)
                    return .verified
                case .verified(let email):
                    if let holder = try UserRepository.find(email: email, in: db), holder.id != userID { return .addressTaken }
                    try UserRepository.setEmail(email, verified: true, userID: userID, now: now, in: db)
                    // A reset link in the old mailbox must not outlive the move.
                    try PasswordResets.cancelAll(userID: userID, now: now, in: db)
                    try AuditLog.record("email_changed", actor: userID, target: userID, ip: ip, now: now, in: db)
                    if let outbox, let notice, let old = user.email {
                        try outbox.enqueue(notice(user, old), kind: "email_changed", userID: userID, now: now, in: db)
                    }
                    return .changed(email: email)
                }
            }
        } catch DatabaseError.uniqueViolation {
            // Another account took the address between the check above and the update.
            return .addressTaken
        }
    }
}

extension AccountService {
    /// Forgets a pending move (its code dies); the account keeps its address.
    public func cancelEmailChange(userID: Int64) async throws {
        try await database.write { db in
            guard let user = try UserRepository.find(id: userID, in: db),
                  let pending = try EmailVerification.pendingAddress(userID: userID, now: Int.min, in: db),
                  IdentityRules.key(pending) != user.email.map(IdentityRules.key) else { return }
            try EmailVerification.cancel(userID: userID, in: db)
        }
    }
}

extension AccountService {
    /// The account with `id`, if it exists.
    public func user(id: Int64) async throws -> User? {
        try await database.read { db in try UserRepository.find(id: id, in: db) }
    }
}
