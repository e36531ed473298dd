import Security
import Storage

/// Authenticator apps (TOTP, RFC 6238) for both apps: one per account, its secret sealed with
/// the key ring and bound to the account, every code usable once. Setting one up is `enroll`
/// (show the QR code or the secret) then `confirm` with a first code; `verify` checks a code at
/// sign-in. All run in the caller's transaction.
public struct TOTPDevices: Sendable {
    static let purpose = "totp"
    let keys: KeyRing
    /// The issuer authenticator apps show next to the code (`Latchkey`, `Latchkey ID`).
    public let issuer: String

    /// Devices sealing secrets with `keys`, labelled `issuer` in the apps.
    public init(keys: KeyRing, issuer: String) {
        self.keys = keys
        self.issuer = issuer
    }

    /// What the set-up page shows.
    public struct Enrollment: Sendable {
        /// The secret in base32, grouped by four for typing by hand.
        public let secret: String
        /// The `otpauth://` URI the QR code carries.
        public let uri: String
        /// The URI as a QR code; nil when the URI is too long for one (a very long account
        /// name), in which case the page shows only the secret.
        public let qrCode: QRCode?
    }

    /// Where an account stands.
    public enum Status: Sendable, Equatable {
        /// No app.
        case notSetUp
        /// Set up but not confirmed with a code yet.
        case pending
        case enabled(since: Int)
    }

    /// Why setting up was refused.
    public enum EnrollmentError: Error, Sendable, Equatable {
        /// The account has a confirmed authenticator app; remove it first.
        case alreadyEnabled
    }

    /// A new secret for `userID` (shown as `account` in the app), replacing an unconfirmed one.
    public func enroll(userID: Int64, account: String, now: Int, in db: any Connection) throws -> Enrollment {
        if case .enabled = try Self.status(userID: userID, in: db) { throw EnrollmentError.alreadyEnabled }
        let secret = TOTP.generateSecret()
        _ = try db.execute("DELETE FROM totp_devices WHERE user_id = ?", userID)
        _ = try db.execute("INSERT INTO totp_devices (user_id, secret_enc, created_at) VALUES (?, ?, ?)",
                           userID, keys.seal(secret, purpose: Self.purpose, associatedData: Self.binding(userID)), now)
        return enrollment(secret, account: account)
    }

    /// `userID`'s app that is set up but not confirmed yet, as `enroll` showed it: so the set-up
    /// page can be shown again (after a wrong first code, a reload) without a new secret.
    public func pending(userID: Int64, account: String, in db: any Connection) throws -> Enrollment? {
        guard let row = try db.queryOne("SELECT secret_enc FROM totp_devices WHERE user_id = ? AND confirmed_at IS NULL", userID) else {
            return nil
        }
        return enrollment(try keys.open(try row.string("secret_enc"), purpose: Self.purpose, associatedData: Self.binding(userID)),
                          account: account)
    }

    private func enrollment(_ secret: [UInt8], account: String) -> Enrollment {
        let uri = TOTP(secret: secret).provisioningURI(issuer: issuer, account: account)
        let encoded = Base32.encode(secret)
        let grouped = stride(from: 0, to: encoded.count, by: 4).map { start in
            String(encoded.dropFirst(start).prefix(4))
        }.joined(separator: " ")
        return Enrollment(secret: grouped, uri: uri, qrCode: try? QRCode.encode(uri))
    }

    /// Confirms `userID`'s pending app with a code from it; `.accepted` turns it on.
    public func confirm(userID: Int64, code: String, now: Int, in db: any Connection) throws -> SecondFactor.Check {
        try check(userID: userID, code: code, now: now, confirmed: false, in: db)
    }

    /// Checks a code from `userID`'s confirmed app at sign-in.
    public func verify(userID: Int64, code: String, now: Int, in db: any Connection) throws -> SecondFactor.Check {
        try check(userID: userID, code: code, now: now, confirmed: true, in: db)
    }

    /// `userID`'s app, if any.
    public static func status(userID: Int64, in db: any Connection) throws -> Status {
        guard let row = try db.queryOne("SELECT confirmed_at FROM totp_devices WHERE user_id = ?", userID) else { return .notSetUp }
        return try row.optionalInt("confirmed_at").map(Status.enabled) ?? .pending
    }

    /// Removes `userID`'s app; false when there was none.
    @discardableResult
    public static func remove(userID: Int64, in db: any Connection) throws -> Bool {
        try db.execute("DELETE FROM totp_devices WHERE user_id = ?", userID) == 1
    }

    private func check(userID: Int64, code: String, now: Int, confirmed: Bool, in db: any Connection) throws -> SecondFactor.Check {
        let subject = SecondFactor.subject(userID)
        if let wait = try SecondFactor.attemptLimit.wait(subject, now: now, in: db) { return .throttled(retryAfter: wait) }
        // `confirm` is for a pending app, `verify` for a confirmed one; the other is no app at all.
        guard let row = try db.queryOne("SELECT secret_enc, confirmed_at, last_used_step FROM totp_devices WHERE user_id = ?", userID),
              (try row.optionalInt("confirmed_at") != nil) == confirmed else { return .notEnrolled }
        // A secret that no longer opens (every secret that sealed it rotated away) is an
        // operator's problem, not a wrong code: it is thrown, not counted.
        let secret = try keys.open(try row.string("secret_enc"), purpose: Self.purpose, associatedData: Self.binding(userID))
        switch TOTP(secret: secret).match(code, at: now, lastUsedStep: try row.optionalInt64("last_used_step")) {
        case .valid(let step):
            // Conditional, so of two requests with the same code only one gets in.
            if try db.execute("""
                UPDATE totp_devices SET last_used_step = ?, confirmed_at = COALESCE(confirmed_at, ?)
                WHERE user_id = ? AND (last_used_step IS NULL OR last_used_step < ?)
                """, step, now, userID, step) == 1 {
                return .accepted
            }
            _ = try SecondFactor.attemptLimit.hit(subject, now: now, in: db)
            return .alreadyUsed
        case .alreadyUsed:
            _ = try SecondFactor.attemptLimit.hit(subject, now: now, in: db)
            return .alreadyUsed
        case .invalid:
            _ = try SecondFactor.attemptLimit.hit(subject, now: now, in: db)
            return .wrong
        }
    }

    /// The associated data that binds a sealed secret to its account, so a row copied to
    /// another account does not open.
    static func binding(_ userID: Int64) -> [UInt8] { Array("totp:\(userID)".utf8) }
}
