import Accounts
import Identity
import Security
import Storage

/// The site's use of the second-factor core: what the account page changes, each change with
/// its security notice queued in the same transaction (a passkey's ceremony commits on its own
/// in the core, so its notice follows in a second one), and the codes checked at sign-in.
struct AccountSecurity: Sendable {
    let services: SiteServices
    /// Composes the notices (per request: links use the request's origin).
    let notice: NoticeMail

    /// What the account page shows.
    struct Overview: Sendable {
        let passkeys: [StoredPasskey]
        let totp: TOTPDevices.Status
        let recoveryCodesLeft: Int
        var hasAuthenticatorApp: Bool {
            if case .enabled = totp { return true }
            return false
        }
        var hasSecondFactor: Bool { hasAuthenticatorApp || !passkeys.isEmpty }
    }

    /// Whether signing in to `userID` needs a second step: a passkey or a confirmed app.
    static func hasSecondFactor(userID: Int64, in db: any Connection) throws -> Bool {
        if case .enabled = try TOTPDevices.status(userID: userID, in: db) { return true }
        return try !PasskeyRepository.list(userID: userID, in: db).isEmpty
    }

    static func overview(userID: Int64, in db: any Connection) throws -> Overview {
        Overview(passkeys: try PasskeyRepository.list(userID: userID, in: db), totp: try TOTPDevices.status(userID: userID, in: db),
                 recoveryCodesLeft: try RecoveryCodes.remaining(userID: userID, in: db))
    }

    private var now: Int { services.clock.now() }

    private func tell(_ event: SecurityNotice, _ user: User, in db: any Connection) throws {
        try services.core.outbox?.enqueue(event, for: user, compose: notice, now: now, in: db)
    }

    private func tell(_ event: SecondFactorEvent, _ user: User, in db: any Connection) throws {
        try tell(.secondFactor(event), user, in: db)
    }

    /// After a factor was added: the first set of recovery codes when the account has none left
    /// (allauth and Keycloak do the same: nobody turns on a second factor without a way back).
    private func firstCodesIfNeeded(_ user: User, in db: any Connection) throws -> [String]? {
        guard try RecoveryCodes.remaining(userID: user.id, in: db) == 0 else { return nil }
        return try RecoveryCodes.regenerate(userID: user.id, now: now, in: db)
    }

    /// After a factor was removed: with none left, the recovery codes go too (they recover
    /// nothing, and a leftover sheet should not turn on again with the next factor).
    private func dropCodesIfLast(_ user: User, in db: any Connection) throws {
        if try !Self.hasSecondFactor(userID: user.id, in: db) { try RecoveryCodes.removeAll(userID: user.id, in: db) }
    }

    // MARK: Passkeys

    /// Tells the owner of a passkey just registered; answers new recovery codes, if it was the first factor.
    func passkeyAdded(_ passkey: StoredPasskey, user: User) async throws -> [String]? {
        try await services.database.write { db in
            try tell(.passkeyAdded(name: passkey.name), user, in: db)
            return try firstCodesIfNeeded(user, in: db)
        }
    }

    func renamePasskey(id: Int64, user: User, to name: String) async throws -> Bool {
        try await services.database.write { db in try PasskeyRepository.rename(id: id, userID: user.id, to: name, in: db) }
    }

    func removePasskey(id: Int64, user: User) async throws -> Bool {
        try await services.database.write { db in
            guard let passkey = try PasskeyRepository.find(id: id, userID: user.id, in: db),
                  try PasskeyRepository.delete(id: id, userID: user.id, in: db) else { return false }
            try tell(.passkeyRemoved(name: passkey.name), user, in: db)
            try dropCodesIfLast(user, in: db)
            return true
        }
    }

    // MARK: Authenticator app

    /// Starts (or starts again) setting up an app; refused while one is on.
    func startAuthenticatorApp(user: User) async throws -> TOTPDevices.Enrollment {
        let totp = services.totp, now = now
        return try await services.database.write { db in try totp.enroll(userID: user.id, account: user.username, now: now, in: db) }
    }

    /// The app being set up, to show again.
    func pendingAuthenticatorApp(user: User) async throws -> TOTPDevices.Enrollment? {
        let totp = services.totp
        return try await services.database.read { db in try totp.pending(userID: user.id, account: user.username, in: db) }
    }

    /// Confirms the app with its first code; when accepted, answers new recovery codes if it was the first factor.
    func confirmAuthenticatorApp(user: User, code: String) async throws -> (SecondFactor.Check, [String]?) {
        let totp = services.totp, now = now
        return try await services.database.write { db in
            let check = try totp.confirm(userID: user.id, code: code, now: now, in: db)
            guard check == .accepted else { return (check, nil) }
            try tell(.authenticatorAppEnabled, user, in: db)
            return (check, try firstCodesIfNeeded(user, in: db))
        }
    }

    func removeAuthenticatorApp(user: User) async throws -> Bool {
        try await services.database.write { db in
            let wasOn: Bool
            if case .enabled = try TOTPDevices.status(userID: user.id, in: db) { wasOn = true } else { wasOn = false }
            guard try TOTPDevices.remove(userID: user.id, in: db) else { return false }
            if wasOn { try tell(.authenticatorAppRemoved, user, in: db) }
            try dropCodesIfLast(user, in: db)
            return true
        }
    }

    // MARK: Recovery codes

    /// A new set; nil when the account has no second factor to recover.
    func regenerateRecoveryCodes(user: User) async throws -> [String]? {
        let now = now
        return try await services.database.write { db in
            guard try Self.hasSecondFactor(userID: user.id, in: db) else { return nil }
            try tell(.recoveryCodesRegenerated, user, in: db)
            return try RecoveryCodes.regenerate(userID: user.id, now: now, in: db)
        }
    }

    // MARK: Sign-in

    /// What a typed code did at sign-in, and for a recovery code how many are left.
    struct CodeOutcome: Sendable, Equatable {
        let check: SecondFactor.Check
        let recoveryCodesLeft: Int?
    }

    /// Checks a code from the authenticator app of `userID`.
    func verifyAppCode(userID: Int64, code: String) async throws -> SecondFactor.Check {
        let totp = services.totp, now = now
        return try await services.database.write { db in try totp.verify(userID: userID, code: code, now: now, in: db) }
    }

    /// After a passkey sign-in whose counter went backwards: the owner hears of it the first
    /// time for that passkey (it stays marked on the account page; later ones are only logged,
    /// so a synced key that misbehaves does not mail at every sign-in).
    func passkeyCounterRegressed(_ signIn: Passkeys.SignIn) async throws {
        guard case .regressed = signIn.assertion.counter, signIn.passkey.counterRegressions == 0 else { return }
        try await services.database.write { db in
            guard let user = try UserRepository.find(id: signIn.userID, in: db) else { return }
            try tell(.passkeyCounterRegressed(name: signIn.passkey.name), user, in: db)
        }
    }

    /// Uses a recovery code of `user`; the owner is told, with the count left.
    func useRecoveryCode(user: User, code: String) async throws -> CodeOutcome {
        let now = now
        return try await services.database.write { db in
            let check = try RecoveryCodes.consume(userID: user.id, typed: code, now: now, in: db)
            guard check == .accepted else { return CodeOutcome(check: check, recoveryCodesLeft: nil) }
            let left = try RecoveryCodes.remaining(userID: user.id, in: db)
            try tell(.recoveryCodeUsed(remaining: left), user, in: db)
            return CodeOutcome(check: check, recoveryCodesLeft: left)
        }
    }
}
