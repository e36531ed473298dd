import Security
import Storage

/// Challenges of passkey ceremonies, for both apps: 256 random bits each, stored as a SHA-256
/// hash, bound to a purpose and (when known) an account, valid five minutes, used once.
/// Storing them server-side rather than in the session lets several ceremonies be open at once
/// (two tabs) and makes single use a database fact, not a hope.
public enum WebAuthnChallenges {
    /// Five minutes, the browser's ceremony timeout.
    public static let lifetime = RelyingParty.ceremonyTimeout / 1000
    static let length = 32

    /// Which ceremony a challenge is for.
    public enum Purpose: String, Sendable {
        case registration, authentication
    }

    /// A new challenge for `purpose`, for `userID` (nil: sign-in without a username).
    public static func issue(_ purpose: Purpose, userID: Int64?, now: Int, in db: any Connection) throws -> [UInt8] {
        let challenge = SecureRandom.bytes(length)
        _ = try db.execute("INSERT INTO webauthn_challenges (challenge_hash, purpose, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                           digest(challenge), purpose.rawValue, userID, now, now + lifetime)
        return challenge
    }

    /// Uses `challenge` for `purpose` in `db`'s transaction and returns the account it was
    /// issued for (nil for none). Throws `PasskeyError.challengeUnknown`, `.challengeReused`
    /// or `.challengeExpired`; a challenge of the other purpose counts as unknown. The update
    /// is conditional, so of two concurrent uses only one succeeds.
    public static func consume(_ challenge: [UInt8], purpose: Purpose, now: Int, in db: any Connection) throws -> Int64? {
        let hash = digest(challenge)
        if try db.execute("UPDATE webauthn_challenges SET used_at = ? WHERE challenge_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                          now, hash, purpose.rawValue, now) == 1 {
            return try db.queryOne("SELECT user_id FROM webauthn_challenges WHERE challenge_hash = ?", hash)?.optionalInt64("user_id")
        }
        guard let row = try db.queryOne("SELECT used_at FROM webauthn_challenges WHERE challenge_hash = ? AND purpose = ?", hash, purpose.rawValue) else {
            throw PasskeyError.challengeUnknown
        }
        throw try row.optionalInt("used_at") != nil ? PasskeyError.challengeReused : PasskeyError.challengeExpired
    }

    /// Deletes challenges a day past expiry (housekeeping); until then a replay is named as one.
    @discardableResult
    public static func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM webauthn_challenges WHERE expires_at < ?", now - 86_400)
    }

    static func digest(_ challenge: [UInt8]) -> String { Hex.encode(SHA256.hash(challenge)) }
}
