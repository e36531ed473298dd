import Identity
import Storage

/// What an administrator does to a user, in the domain layer: each action writes its audit row
/// in the same transaction as the change, so an action cannot commit without its entry. The
/// controller only maps outcomes to messages.
public struct AdminService: Sendable {
    /// Actions refused before anything changes.
    public enum Refusal: Error, Sendable, Equatable {
        /// Administrators cannot revoke their own rights (another administrator can).
        case ownAdminRights
        /// Administrators cannot disable their own account.
        case ownAccount
    }

    /// How a forced token refresh ended, for the message.
    public enum RefreshReport: Sendable, Equatable {
        case refreshed(expiresAt: Int?)
        case notRefreshable
        /// The provider did not answer; nothing changed.
        case unavailable(reason: String)
        /// The provider refused; the account now needs reconnecting.
        case refused(reason: String)
    }

    let database: any Database
    let social: SocialAuthService
    let clock: Clock
    let outbox: Outbox?

    /// Admin actions over `database`, with `social` for linked accounts and `outbox` for mail.
    public init(database: any Database, social: SocialAuthService, clock: Clock = .system, outbox: Outbox? = nil) {
        self.database = database
        self.social = social
        self.clock = clock
        self.outbox = outbox
    }

    // MARK: Mail

    /// The user has no email address, or mail is off.
    public struct CannotMail: Error, Sendable {}

    /// Mails `user` a password-reset link (`message(user, token)`), audited in the same transaction.
    public func sendPasswordReset(to user: User, by admin: User, ip: String,
                                  message: @escaping @Sendable (User, _ token: String) -> MailMessage) async throws {
        guard let outbox, user.email != nil else { throw CannotMail() }
        let now = clock.now()
        try await database.write { db in
            try PasswordResets.mail(to: user, via: outbox, now: now, in: db, message: message)
            try AuditEvent("admin_password_reset_sent", actor: admin.id, target: user.id, ip: ip).record(now: now, in: db)
        }
    }

    /// The latest mail concerning `user`, with what became of each.
    public func recentMail(to user: User) async throws -> [OutboxEntry] {
        try await database.read { db in try Outbox.recent(userID: user.id, in: db) }
    }

    // MARK: Sessions

    /// Ends one session of `user`; false when it had already ended (nothing recorded).
    public func endSession(_ idHash: String, of user: User, by admin: User, ip: String) async throws -> Bool {
        let now = clock.now()
        return try await database.write { db in
            guard try SessionRepository.end(idHash: idHash, userID: user.id, in: db) > 0 else { return false }
            try AuditEvent("admin_session_ended", actor: admin.id, target: user.id, ip: ip).record(now: now, in: db)
            return true
        }
    }

    /// Ends every session of `user` but `keeping` and revokes their API tokens (an API token is
    /// a session too), returning how many sessions ended.
    public func endAllSessions(of user: User, keeping: String?, by admin: User, ip: String) async throws -> Int {
        let now = clock.now()
        return try await database.write { db in
            let ended = try SessionRepository.endAll(userID: user.id, keeping: keeping, in: db)
            let tokens = try APITokenRepository.revokeAll(userID: user.id, now: now, in: db)
            try AuditEvent("admin_sessions_ended", actor: admin.id, target: user.id, detail: "count=\(ended) api_tokens=\(tokens)", ip: ip)
                .record(now: now, in: db)
            return ended
        }
    }

    // MARK: The user

    /// Grants or revokes administrator rights.
    public func setAdmin(_ isAdmin: Bool, user: User, by admin: User, ip: String) async throws {
        guard isAdmin || user.id != admin.id else { throw Refusal.ownAdminRights }
        let now = clock.now()
        try await database.write { db in
            try UserRepository.setAdmin(isAdmin, userID: user.id, now: now, in: db)
            try AuditEvent(isAdmin ? "admin_granted" : "admin_revoked", actor: admin.id, target: user.id, ip: ip).record(now: now, in: db)
        }
    }

    /// Disables (ending every session and revoking every API token at once) or enables an
    /// account; returns the sessions ended.
    public func setDisabled(_ disabled: Bool, user: User, by admin: User, ip: String) async throws -> Int {
        guard !disabled || user.id != admin.id else { throw Refusal.ownAccount }
        let now = clock.now()
        return try await database.write { db in
            try UserRepository.setDisabled(disabled, userID: user.id, now: now, in: db)
            guard disabled else {
                try AuditEvent("user_enabled", actor: admin.id, target: user.id, ip: ip).record(now: now, in: db)
                return 0
            }
            let ended = try SessionRepository.endAll(userID: user.id, keeping: nil, in: db)
            let tokens = try APITokenRepository.revokeAll(userID: user.id, now: now, in: db)
            try AuditEvent("user_disabled", actor: admin.id, target: user.id, detail: "sessions_ended=\(ended) api_tokens=\(tokens)", ip: ip)
                .record(now: now, in: db)
            return ended
        }
    }

    // MARK: Lockouts

    /// Clears the sign-in lockout of `user` (failures counted against its username and its
    /// address, from every address) with `throttle`, and records it; returns how many counted
    /// failures were forgotten.
    public func unlock(_ user: User, throttle: SignInThrottle, by admin: User, ip: String) async throws -> Int {
        let now = clock.now()
        let keys = [UserRepository.key(user.username)] + (user.email.map { [UserRepository.key($0)] } ?? [])
        return try await database.write { db in
            let cleared = try throttle.unlock(accounts: keys, in: db)
            try AuditEvent("admin_unlocked", actor: admin.id, target: user.id, detail: "failures_cleared=\(cleared)", ip: ip).record(now: now, in: db)
            return cleared
        }
    }

    // MARK: Second factors

    /// Removes every second factor of `user` (authenticator app, passkeys, recovery codes) for a
    /// person who lost them, with its audit row and the owner's notice in the same transaction;
    /// returns what there was (nothing recorded when there was nothing).
    public func resetSecondFactors(of user: User, by admin: User, ip: String, notice: NoticeMail? = nil) async throws -> SecondFactorStatus {
        let now = clock.now()
        let outbox = outbox
        return try await database.write { db in
            let removed = try SecondFactorStatus.removeAll(userID: user.id, in: db)
            guard removed != .none else { return removed }
            try AuditEvent("admin_mfa_reset", actor: admin.id, target: user.id,
                           detail: "totp=\(removed.totpEnabled ? 1 : 0) passkeys=\(removed.passkeys) recovery_codes=\(removed.recoveryCodesLeft)",
                           ip: ip).record(now: now, in: db)
            try outbox?.enqueue(.secondFactorsReset, for: user, compose: notice, now: now, in: db)
            return removed
        }
    }

    // MARK: Linked accounts

    /// Refreshes a linked account's token now.
    public func refreshToken(of account: SocialAccount, by admin: User, ip: String) async throws -> RefreshReport {
        let provider = account.provider
        let entry: @Sendable (String) -> AuditEvent = { outcome in
            AuditEvent("admin_token_refresh", actor: admin.id, target: account.userID, detail: "\(provider) \(outcome)", ip: ip)
        }
        let report: RefreshReport
        do {
            switch try await social.refreshNow(accountID: account.id, audit: entry) {
            case .refreshed(let expiresAt): return .refreshed(expiresAt: expiresAt)
            case .notRefreshable: report = .notRefreshable
            }
        } catch SocialAuthError.providerUnavailable(let reason) {
            report = .unavailable(reason: reason)
        } catch let error as SocialAuthError {
            // The refusal and its audit row were written together by `refreshNow`.
            return .refused(reason: "\(error)")
        }
        // Nothing changed; the attempt is still worth a line in the log of record.
        let now = clock.now()
        let outcome = report == .notRefreshable ? "not refreshable" : "unavailable"
        try await database.write { db in try entry(outcome).record(now: now, in: db) }
        return report
    }

    /// Marks a linked account's token revoked (and revokes it upstream); returns the upstream
    /// failure, if any, which is recorded as an entry of its own.
    public func revokeToken(of account: SocialAccount, by admin: User, ip: String) async throws -> SocialAuthError? {
        let entry = AuditEvent("admin_token_revoked", actor: admin.id, target: account.userID, detail: account.provider, ip: ip)
        let upstream = try await social.revokeToken(accountID: account.id, audit: entry)
        if upstream != nil {
            let now = clock.now()
            try await database.write { db in
                try AuditEvent("admin_token_revoked", actor: admin.id, target: account.userID, detail: "\(account.provider) upstream_failed",
                               ip: ip).record(now: now, in: db)
            }
        }
        return upstream
    }

    /// Unlinks a linked account (refused with `SocialAuthError.lastSignInMethod` when it is the
    /// user's only way in); returns the upstream revocation failure, if any.
    public func unlink(_ account: SocialAccount, by admin: User, ip: String, notice: NoticeMail? = nil) async throws -> SocialAuthError? {
        let entry = AuditEvent("admin_social_unlinked", actor: admin.id, target: account.userID,
                               detail: "\(account.provider) \(account.providerUID)", ip: ip)
        return try await social.disconnect(accountID: account.id, userID: account.userID, ip: ip, audit: entry, notice: notice).upstreamError
    }
}
