import Identity
import Security
import Storage

/// The second factors of provider users, over the identity core: an authenticator app (TOTP),
/// passkeys and recovery codes. An account "has a second factor" once its app is confirmed or
/// it has a passkey; recovery codes come with the first of those (ten) and go with the last.
/// Every change mails the owner (`SecondFactorEvent`, the words the site uses too), queued in
/// the change's transaction, once a request's page has said how to write it (`telling`).
struct ProviderSecondFactors: Sendable {
    let database: any Database
    let clock: Clock
    let totp: TOTPDevices
    let passkeys: Passkeys
    /// Where notices wait for delivery; nil when mail is off.
    let outbox: Outbox?
    /// Writes a notice; nil sends none (set per request by `telling`).
    private(set) var notice: (@Sendable (ProviderUser, SecondFactorEvent) -> MailMessage)?

    init(database: any Database, clock: Clock, totp: TOTPDevices, passkeys: Passkeys, outbox: Outbox?) {
        self.database = database
        self.clock = clock
        self.totp = totp
        self.passkeys = passkeys
        self.outbox = outbox
    }

    /// The same services, mailing the owner of each change with `notice`.
    func telling(_ notice: @escaping @Sendable (ProviderUser, SecondFactorEvent) -> MailMessage) -> ProviderSecondFactors {
        var copy = self
        copy.notice = notice
        return copy
    }

    /// Queues `event`'s notice to `userID` in the transaction `db`.
    private func tell(_ event: SecondFactorEvent, userID: Int64, now: Int, in db: any Connection) throws {
        guard let outbox, let notice, let user = try UserRepository.find(id: userID, in: db) else { return }
        try outbox.enqueue(notice(user, event), kind: event.kind, userID: userID, now: now, in: db)
    }

    /// Which second factor a sign-in step offers.
    enum Method: String, Sendable {
        case totp, recovery
    }

    /// What the security page shows.
    struct Summary: Sendable {
        let totp: TOTPDevices.Status
        let recoveryCodesLeft: Int
        let passkeys: [StoredPasskey]
        var hasApp: Bool { if case .enabled = totp { true } else { false } }
        var isEnabled: Bool { hasApp || !passkeys.isEmpty }
    }

    /// Whether `userID` must give a second factor to sign in.
    static func isEnabled(userID: Int64, in db: any Connection) throws -> Bool {
        if case .enabled = try TOTPDevices.status(userID: userID, in: db) { return true }
        return try db.queryOne("SELECT 1 AS found FROM webauthn_credentials WHERE user_id = ?", userID) != nil
    }

    func isEnabled(userID: Int64) async throws -> Bool {
        try await database.read { try Self.isEnabled(userID: userID, in: $0) }
    }

    func summary(userID: Int64) async throws -> Summary {
        try await database.read { db in
            Summary(totp: try TOTPDevices.status(userID: userID, in: db), recoveryCodesLeft: try RecoveryCodes.remaining(userID: userID, in: db),
                    passkeys: try PasskeyRepository.list(userID: userID, in: db))
        }
    }

    /// A new secret for the user's app (replacing an unconfirmed one); throws
    /// `TOTPDevices.EnrollmentError.alreadyEnabled` when one is on.
    func beginTOTP(for user: ProviderUser) async throws -> TOTPDevices.Enrollment {
        let now = clock.now(), totp = totp
        return try await database.write { try totp.enroll(userID: user.id, account: user.username, now: now, in: $0) }
    }

    /// Confirms the app with a first code. When it turns on, the account gets its recovery codes
    /// (returned, to show once) unless it has some already.
    func confirmTOTP(userID: Int64, code: String) async throws -> (check: SecondFactor.Check, recoveryCodes: [String]?) {
        let now = clock.now(), totp = totp
        return try await database.write { db in
            let check = try totp.confirm(userID: userID, code: code, now: now, in: db)
            guard check == .accepted else { return (check, nil) }
            try tell(.authenticatorAppEnabled, userID: userID, now: now, in: db)
            guard try RecoveryCodes.remaining(userID: userID, in: db) == 0 else { return (check, nil) }
            return (check, try RecoveryCodes.regenerate(userID: userID, now: now, in: db))
        }
    }

    /// Checks a code at sign-in.
    func verify(userID: Int64, method: Method, code: String) async throws -> SecondFactor.Check {
        let now = clock.now(), totp = totp
        return try await database.write { db in
            guard try Self.isEnabled(userID: userID, in: db) else { return .notEnrolled }
            switch method {
            case .totp: return try totp.verify(userID: userID, code: code, now: now, in: db)
            case .recovery:
                let check = try RecoveryCodes.consume(userID: userID, typed: code, now: now, in: db)
                if check == .accepted {
                    try tell(.recoveryCodeUsed(remaining: try RecoveryCodes.remaining(userID: userID, in: db)), userID: userID, now: now, in: db)
                }
                return check
            }
        }
    }

    /// Ten new recovery codes (the old ones stop working); nil when the account has no second
    /// factor, since the codes stand in for one.
    func regenerateRecoveryCodes(userID: Int64) async throws -> [String]? {
        let now = clock.now()
        return try await database.write { db in
            guard try Self.isEnabled(userID: userID, in: db) else { return nil }
            let codes = try RecoveryCodes.regenerate(userID: userID, now: now, in: db)
            try tell(.recoveryCodesRegenerated, userID: userID, now: now, in: db)
            return codes
        }
    }

    /// Turns the second factor off: the app, the passkeys and the recovery codes go together.
    func removeAll(userID: Int64) async throws {
        let now = clock.now()
        try await database.write { db in
            let appWasOn = if case .enabled = try TOTPDevices.status(userID: userID, in: db) { true } else { false }
            try TOTPDevices.remove(userID: userID, in: db)
            if appWasOn { try tell(.authenticatorAppRemoved, userID: userID, now: now, in: db) }
            for passkey in try PasskeyRepository.list(userID: userID, in: db) {
                try PasskeyRepository.delete(id: passkey.id, userID: userID, in: db)
                try tell(.passkeyRemoved(name: passkey.name), userID: userID, now: now, in: db)
            }
            try RecoveryCodes.removeAll(userID: userID, in: db)
        }
    }

    // MARK: Passkeys

    /// Stores a passkey that passed registration; recovery codes come with the first second
    /// factor (returned, to show once).
    func addPasskey(userID: Int64, response: RegistrationResponse, name: String) async throws -> [String]? {
        let stored = try await passkeys.finishRegistration(userID: userID, response: response, name: name.isEmpty ? "Passkey" : name)
        let now = clock.now()
        return try await database.write { db in
            try tell(.passkeyAdded(name: stored.name), userID: userID, now: now, in: db)
            guard try RecoveryCodes.remaining(userID: userID, in: db) == 0 else { return nil }
            return try RecoveryCodes.regenerate(userID: userID, now: now, in: db)
        }
    }

    /// Deletes one passkey; with the last second factor gone, the recovery codes go too.
    func deletePasskey(id: Int64, userID: Int64) async throws -> Bool {
        let now = clock.now()
        return try await database.write { db in
            guard let passkey = try PasskeyRepository.find(id: id, userID: userID, in: db),
                  try PasskeyRepository.delete(id: id, userID: userID, in: db) else { return false }
            try tell(.passkeyRemoved(name: passkey.name), userID: userID, now: now, in: db)
            if try !Self.isEnabled(userID: userID, in: db) { try RecoveryCodes.removeAll(userID: userID, in: db) }
            return true
        }
    }

    /// A passkey used as the second factor of `userID`: the RFC 8176 method, `hwk` for a key
    /// bound to its device, `swk` for a synced (backup-eligible) one.
    func verifyPasskey(userID: Int64, response: AuthenticationResponse) async throws -> String {
        let signIn = try await passkeys.finishAuthentication(response)
        guard signIn.userID == userID else { throw PasskeyError.credentialOfAnotherAccount }
        try await noteCounter(signIn)
        return Self.method(of: signIn)
    }

    /// The same ceremonies with user verification required: a passkey that checked its owner's
    /// fingerprint, face or PIN is two factors in one, so it signs in alone (a discoverable
    /// credential: the browser offers the account, nobody types a username).
    var passwordless: Passkeys {
        let party = passkeys.relyingParty
        return Passkeys(database: database, relyingParty: RelyingParty(id: party.id, name: party.name, origins: party.origins,
                                                                        userVerification: .required), clock: clock)
    }

    /// Signs in with a passkey alone: the account and its RFC 8176 method.
    func signInWithPasskey(response: AuthenticationResponse) async throws -> (userID: Int64, method: String) {
        let signIn = try await passwordless.finishAuthentication(response)
        try await noteCounter(signIn)
        return (signIn.userID, Self.method(of: signIn))
    }

    /// A counter that went backwards may mean a copied key: the core counted it; the owner is
    /// told the first time for that passkey (later ones only count, so a misbehaving synced key
    /// does not mail at every sign-in).
    private func noteCounter(_ signIn: Passkeys.SignIn) async throws {
        guard case .regressed = signIn.assertion.counter, signIn.passkey.counterRegressions == 0 else { return }
        let now = clock.now()
        try await database.write { db in try tell(.passkeyCounterRegressed(name: signIn.passkey.name), userID: signIn.userID, now: now, in: db) }
    }

    private static func method(of signIn: Passkeys.SignIn) -> String {
        signIn.passkey.backupEligible ? "swk" : "hwk"
    }
}
