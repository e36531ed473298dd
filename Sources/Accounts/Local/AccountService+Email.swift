import Identity
import Localization
import Storage

/// The account's address: proving it by code, and moving to another one, through the identity
/// core's `EmailVerificationService` (the provider's accounts move the same way). The site adds
/// its audit rows and the password check.
extension AccountService {
    /// What entering a code did.
    public typealias CodeOutcome = EmailVerificationService<User>.CodeOutcome

    /// The address a code is on its way to, when it is not the account's own (a pending move).
    public func pendingEmailChange(for user: User) async throws -> String? {
        try await codes.pendingChange(for: user)
    }

    /// `pending` (what `EmailVerification.pendingAddress` read) when it is a move to another
    /// address, for a caller that reads it with other things in one transaction.
    public static func pendingEmailChange(_ pending: String?, for user: User) -> String? {
        guard let pending, pending.lowercased() != user.email?.lowercased() else { return nil }
        return pending
    }

    /// Starts moving `userID` to `newEmail` (see `EmailVerificationService.requestChange`): the
    /// password is checked when the account has one, since a borrowed session must not be enough
    /// to take the account's mail. Throws `FieldErrors` or `TooManyCodes`.
    @discardableResult
    public func requestEmailChange(userID: Int64, newEmail: String, password: String, ip: String,
                                   code message: @escaping @Sendable (User, _ address: String, _ code: String) -> MailMessage,
                                   inUse: @escaping @Sendable (_ address: String) -> MailMessage) async throws -> String {
        let stored = try await database.read { db in
            (try UserRepository.find(id: userID, in: db), try Credentials.storedHash(userID: userID, in: db))
        }
        guard let user = stored.0 else { throw FieldErrors("new_email", Message("Your account no longer exists.")) }
        let credentials = credentials
        return try await codes.requestChange(of: user, to: newEmail, authorize: {
            if let hash = stored.1, try await !credentials.matches(password, stored: hash) {
                throw FieldErrors("email_password", Message("That is not your current password."))
            }
        }, message: message, inUse: inUse) { user, now, db in
            try AuditLog.record("email_change_requested", actor: user.id, target: user.id, ip: ip, now: now, in: db)
        }
    }

    /// Checks a typed code: verifies the account's address, or finishes a move (the old address
    /// gets `notice(user, oldAddress)`).
    public func enterEmailCode(userID: Int64, code: String, ip: String,
                               notice: (@Sendable (User, _ oldAddress: String) -> MailMessage)? = nil) async throws -> CodeOutcome {
        guard let user = try await user(id: userID) else { return .noLiveCode }
        return try await codes.enter(code: code, for: user, notice: notice, verified: { user, now, db in
            try AuditLog.record("email_verified", actor: user.id, target: user.id, ip: ip, now: now, in: db)
        }, changed: { user, now, db in
            try AuditLog.record("email_changed", actor: user.id, target: user.id, ip: ip, now: now, in: db)
        })
    }
}

extension AccountService {
    /// Forgets a pending move (its code dies); the account keeps its address.
    public func cancelEmailChange(userID: Int64) async throws {
        guard let user = try await user(id: userID) else { return }
        try await codes.cancelChange(for: user)
    }
}

extension AccountService {
    /// The account with `id`, if it exists.
    public func user(id: Int64) async throws -> User? {
        try await database.read { db in try UserRepository.find(id: id, in: db) }
    }
}
