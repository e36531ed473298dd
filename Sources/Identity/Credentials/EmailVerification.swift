import Foundation
import Security
import Storage

/// Codes that prove a person reads an address, for both apps: eight letters such as `WDJB-MJHT`
/// (consonants only: no words, no 0/O or 1/I to mix up), stored as a hash, valid fifteen
/// minutes, five tries. One live code per account; asking again replaces it.
public enum EmailVerification {
    /// Fifteen minutes.
    public static let lifetime = 900
    /// Wrong codes allowed before the code dies.
    public static let maxAttempts = 5
    /// New codes (resends) allowed per account per window.
    public static let resendLimit = RateLimit("email_code", limit: 3, window: 900)
    static let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ")

    /// What a code check found.
    public enum Outcome: Sendable, Equatable {
        /// Right: `email` is proven, and the code is used up.
        case verified(email: String)
        /// Wrong; `remaining` tries are left.
        case wrong(remaining: Int)
        /// No live code: none was sent, it expired, or it was tried too often.
        case noLiveCode
    }

    /// A new code for `userID`'s `email`, replacing any earlier one.
    public static func issue(userID: Int64, email: String, now: Int, in db: any Connection) throws -> String {
        // Rejection sampling: bytes of 240 and up are skipped, so each letter is equally likely.
        var letters: [Character] = []
        while letters.count < 8 {
            for byte in SecureRandom.bytes(16) where byte < 240 && letters.count < 8 { letters.append(alphabet[Int(byte) % alphabet.count]) }
        }
        let code = String(letters[0..<4]) + "-" + String(letters[4..<8])
        _ = try db.execute("DELETE FROM email_verifications WHERE user_id = ?", userID)
        _ = try db.execute("INSERT INTO email_verifications (user_id, email, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       userID, email, digest(code), now, now + lifetime)
        return code
    }

    /// Checks `typed` against `userID`'s live code (case, spaces and the dash do not matter).
    public static func check(userID: Int64, typed: String, now: Int, in db: any Connection) throws -> Outcome {
        guard let row = try db.queryOne("SELECT email, code_hash, attempts, expires_at FROM email_verifications WHERE user_id = ?", userID),
              try row.int("expires_at") > now, try row.int("attempts") < maxAttempts else { return .noLiveCode }
        if constantTimeEquals(Array(try row.string("code_hash").utf8), Array(digest(typed).utf8)) {
            _ = try db.execute("DELETE FROM email_verifications WHERE user_id = ?", userID)
            return .verified(email: try row.string("email"))
        }
        let attempts = try row.int("attempts") + 1
        _ = try db.execute("UPDATE email_verifications SET attempts = ? WHERE user_id = ?", attempts, userID)
        return attempts >= maxAttempts ? .noLiveCode : .wrong(remaining: maxAttempts - attempts)
    }

    /// Marks `userID`'s address verified, in `db`'s transaction, if it is still `email` (an
    /// address changed since the code was sent stays unproven); false when it is not.
    public static func markVerified(userID: Int64, email: String, now: Int, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE users SET email_verified = 1, updated_at = ? WHERE id = ? AND email_key = ?",
                       now, userID, IdentityRules.key(email)) == 1
    }

    /// Gives `userID` a new address, unverified: whatever proved the old one says nothing of the
    /// new, and its pending code dies. A taken address surfaces as `DatabaseError.uniqueViolation`.
    public static func changeAddress(userID: Int64, to email: String, now: Int, in db: any Connection) throws {
        _ = try db.execute("UPDATE users SET email = ?, email_key = ?, email_verified = 0, updated_at = ? WHERE id = ?",
                       email, IdentityRules.key(email), now, userID)
        _ = try db.execute("DELETE FROM email_verifications WHERE user_id = ?", userID)
    }

    /// Deletes codes a day past expiry (housekeeping).
    @discardableResult
    public static func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM email_verifications WHERE expires_at < ?", now - 86_400)
    }

    /// The hash of a code as typed: letters only, upper case.
    static func digest(_ code: String) -> String {
        let normal = String(code.uppercased().unicodeScalars.filter { $0.isASCII && CharacterSet.uppercaseLetters.contains($0) }.prefix(16))
        return Hex.encode(SHA256.hash(normal))
    }
}

/// Too many codes asked for one account; try again after `retryAfter` seconds.
public struct TooManyCodes: Error, Sendable {
    public let retryAfter: Int
    public init(retryAfter: Int) { self.retryAfter = retryAfter }
}
