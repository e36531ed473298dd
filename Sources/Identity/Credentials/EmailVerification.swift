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
        try db.execute("DELETE FROM email_verifications WHERE user_id = ?", userID)
        try db.execute("INSERT INTO email_verifications (user_id, email, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       userID, email, digest(code), now, now + lifetime)
        return code
    }

    /// Checks `typed` against `userID`'s live code (case, spaces and the dash do not matter).
    public static func check(userID: Int64, typed: String, now: Int, in db: any Connection) throws -> Outcome {
        guard let row = try db.queryOne("SELECT email, code_hash, attempts, expires_at FROM email_verifications WHERE user_id = ?", userID),
              try row.int("expires_at") > now, try row.int("attempts") < maxAttempts else { return .noLiveCode }
        if constantTimeEquals(Array(try row.string("code_hash").utf8), Array(digest(typed).utf8)) {
            try db.execute("DELETE FROM email_verifications WHERE user_id = ?", userID)
            return .verified(email: try row.string("email"))
        }
        let attempts = try row.int("attempts") + 1
        try db.execute("UPDATE email_verifications SET attempts = ? WHERE user_id = ?", attempts, userID)
        return attempts >= maxAttempts ? .noLiveCode : .wrong(remaining: maxAttempts - attempts)
    }

    /// The address `userID`'s live code is for (the account's own, or one it is moving to).
    public static func pendingAddress(userID: Int64, now: Int, in db: any Connection) throws -> String? {
        try db.queryOne("SELECT email FROM email_verifications WHERE user_id = ? AND expires_at > ? AND attempts < ?",
                        userID, now, maxAttempts).map { try $0.string("email") }
    }

    /// Drops `userID`'s code, if any (the address it was for is no longer wanted).
    public static func cancel(userID: Int64, in db: any Connection) throws {
        try db.execute("DELETE FROM email_verifications WHERE user_id = ?", userID)
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
