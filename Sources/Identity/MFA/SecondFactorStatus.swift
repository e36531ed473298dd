import Storage

/// Where an account's second factors stand, for admin views and data exports: whether an
/// authenticator app is on, how many passkeys, how many unused recovery codes.
public struct SecondFactorStatus: Sendable, Equatable {
    public var totpEnabled: Bool
    public var passkeys: Int
    public var recoveryCodesLeft: Int

    /// An account without any.
    public static let none = SecondFactorStatus(totpEnabled: false, passkeys: 0, recoveryCodesLeft: 0)

    public init(totpEnabled: Bool, passkeys: Int, recoveryCodesLeft: Int) {
        self.totpEnabled = totpEnabled
        self.passkeys = passkeys
        self.recoveryCodesLeft = recoveryCodesLeft
    }

    /// Whether the account has a second factor it can sign in with (recovery codes alone do not count).
    public var isEnabled: Bool { totpEnabled || passkeys > 0 }

    /// The status of each of `userIDs` (those with nothing are absent): three grouped queries,
    /// whatever the number of users, for a page of the users list.
    public static func of(_ userIDs: [Int64], in db: any Connection) throws -> [Int64: SecondFactorStatus] {
        guard !userIDs.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: userIDs.count).joined(separator: ", ")
        let ids = userIDs.map(\.sqlValue)
        var result: [Int64: SecondFactorStatus] = [:]
        for row in try db.query("SELECT user_id FROM totp_devices WHERE confirmed_at IS NOT NULL AND user_id IN (\(marks))", ids) {
            result[try row.int64("user_id"), default: .none].totpEnabled = true
        }
        for row in try db.query("SELECT user_id, COUNT(*) AS n FROM webauthn_credentials WHERE user_id IN (\(marks)) GROUP BY user_id", ids) {
            result[try row.int64("user_id"), default: .none].passkeys = try row.int("n")
        }
        for row in try db.query("""
            SELECT user_id, COUNT(*) AS n FROM recovery_codes WHERE used_at IS NULL AND user_id IN (\(marks)) GROUP BY user_id
            """, ids) {
            result[try row.int64("user_id"), default: .none].recoveryCodesLeft = try row.int("n")
        }
        return result
    }

    /// The status of one account.
    public static func of(_ userID: Int64, in db: any Connection) throws -> SecondFactorStatus {
        try of([userID], in: db)[userID] ?? .none
    }

    /// Removes every second factor of `userID` (authenticator app, set up or pending; passkeys;
    /// recovery codes; live passkey challenges), in the caller's transaction, and returns what
    /// there was. The account's passkey user handle stays: it names the account, not a factor.
    @discardableResult
    public static func removeAll(userID: Int64, in db: any Connection) throws -> SecondFactorStatus {
        let before = try of(userID, in: db)
        _ = try TOTPDevices.remove(userID: userID, in: db)
        _ = try db.execute("DELETE FROM webauthn_credentials WHERE user_id = ?", userID)
        _ = try db.execute("DELETE FROM webauthn_challenges WHERE user_id = ?", userID)
        try RecoveryCodes.removeAll(userID: userID, in: db)
        return before
    }
}
