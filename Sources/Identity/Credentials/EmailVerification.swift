import Foundation
import Security
import Storage

/// Codes that prove a person reads an address, for both apps: eight letters such as `WDJB-MJHT`
/// (consonants only: no words, no 0/O or 1/I to mix up), stored as a hash, valid fifteen
/// minutes, five tries. One live code per account; asking again replaces it.
public enum EmailVerification {
    /// Fifteen minutes.
    public static let lifetime = OneTimeCodes.lifetime
    /// Wrong codes allowed before the code dies.
    public static let maxAttempts = OneTimeCodes.maxAttempts
    /// New codes (resends) allowed per account per window.
    public static let resendLimit = RateLimit("email_code", limit: 3, window: 900)
    static let codes = OneTimeCodes(table: "email_verifications")

    /// What a code check found.
    public typealias Outcome = OneTimeCodes.Outcome

    /// A new code for `userID`'s `email`, replacing any earlier one.
    public static func issue(userID: Int64, email: String, now: Int, in db: any Connection) throws -> String {
        try codes.issue(userID: userID, email: email, now: now, in: db)
    }

    /// Checks `typed` against `userID`'s live code (case, spaces and the dash do not matter).
    public static func check(userID: Int64, typed: String, now: Int, in db: any Connection) throws -> Outcome {
        try codes.check(userID: userID, typed: typed, now: now, in: db)
    }

    /// The address `userID`'s live code is for (the account's own, or one it is moving to).
    public static func pendingAddress(userID: Int64, now: Int, in db: any Connection) throws -> String? {
        try codes.pendingAddress(userID: userID, now: now, in: db)
    }

    /// Drops `userID`'s code, if any (the address it was for is no longer wanted).
    public static func cancel(userID: Int64, in db: any Connection) throws { try codes.cancel(userID: userID, in: db) }

    /// Marks `userID`'s address verified, in `db`'s transaction, if it is still `email` (an
    /// address changed since the code was sent stays unproven); false when it is not.
    public static func markVerified(userID: Int64, email: String, now: Int, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE users SET email_verified = 1, updated_at = ? WHERE id = ? AND email_key = ?",
                       now, userID, IdentityRules.key(email)) == 1
    }

    /// Moves `userID` to `email`, proven (by a code sent there), and drops any pending code. A
    /// taken address surfaces as `DatabaseError.uniqueViolation`.
    public static func moveAddress(userID: Int64, to email: String, now: Int, in db: any Connection) throws {
        _ = try db.execute("UPDATE users SET email = ?, email_key = ?, email_verified = 1, updated_at = ? WHERE id = ?",
                           email, IdentityRules.key(email), now, userID)
        try codes.cancel(userID: userID, in: db)
    }

    /// The account whose address is `email` (in any case), if any.
    public static func holder(of email: String, in db: any Connection) throws -> Int64? {
        try db.queryOne("SELECT id FROM users WHERE email_key = ?", IdentityRules.key(email)).map { try $0.int64("id") }
    }

    /// Deletes codes a day past expiry (housekeeping).
    @discardableResult
    public static func purge(now: Int, in db: any Connection) throws -> Int { try codes.purge(now: now, in: db) }
}

/// One-time codes that sign a person in from their mailbox (the safe way back into an account
/// whose password is forgotten or was never set). Same rules as `EmailVerification`.
public enum SignInCodes {
    /// New codes allowed per account per window.
    public static let requestLimit = RateLimit("sign_in_code", limit: 3, window: 900)
    /// Code requests allowed per client address per hour, whatever was asked for.
    public static let requestLimitPerAddress = RateLimit("sign_in_code_ip", limit: 10, window: 3600)
    static let codes = OneTimeCodes(table: "sign_in_codes")

    /// A new code for `userID`, mailed to `email`, replacing any earlier one.
    public static func issue(userID: Int64, email: String, now: Int, in db: any Connection) throws -> String {
        try codes.issue(userID: userID, email: email, now: now, in: db)
    }

    /// Checks `typed` against `userID`'s live code.
    public static func check(userID: Int64, typed: String, now: Int, in db: any Connection) throws -> OneTimeCodes.Outcome {
        try codes.check(userID: userID, typed: typed, now: now, in: db)
    }

    /// Deletes codes a day past expiry (housekeeping).
    @discardableResult
    public static func purge(now: Int, in db: any Connection) throws -> Int { try codes.purge(now: now, in: db) }
}

/// The mechanics both kinds of code share, over a table of `(user_id, email, code_hash,
/// attempts, created_at, expires_at)` with one row per account.
public struct OneTimeCodes: Sendable {
    /// Fifteen minutes.
    public static let lifetime = 900
    /// Wrong codes allowed before the code dies.
    public static let maxAttempts = 5
    static let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ")
    let table: String

    /// What a code check found.
    public enum Outcome: Sendable, Equatable {
        /// Right: `email` is proven, and the code is used up.
        case verified(email: String)
        /// Wrong; `remaining` tries are left.
        case wrong(remaining: Int)
        /// No live code: none was sent, it expired, or it was tried too often.
        case noLiveCode
    }

    /// A fresh code such as `WDJB-MJHT`, for tables of other shapes too.
    public static func generate() -> String {
        // Rejection sampling: bytes of 240 and up are skipped, so each letter is equally likely.
        var letters: [Character] = []
        while letters.count < 8 {
            for byte in SecureRandom.bytes(16) where byte < 240 && letters.count < 8 { letters.append(alphabet[Int(byte) % alphabet.count]) }
        }
        return String(letters[0..<4]) + "-" + String(letters[4..<8])
    }

    /// Whether `typed` is the code whose `digest` is `hash` (in constant time).
    public static func matches(_ typed: String, hash: String) -> Bool {
        constantTimeEquals(Array(hash.utf8), Array(digest(typed).utf8))
    }

    /// A new code for `userID`'s `email`, replacing any earlier one.
    func issue(userID: Int64, email: String, now: Int, in db: any Connection) throws -> String {
        let code = Self.generate()
        _ = try db.execute("DELETE FROM \(table) WHERE user_id = ?", userID)
        _ = try db.execute("INSERT INTO \(table) (user_id, email, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       userID, email, Self.digest(code), now, now + Self.lifetime)
        return code
    }

    /// Checks `typed` against `userID`'s live code (case, spaces and the dash do not matter).
    func check(userID: Int64, typed: String, now: Int, in db: any Connection) throws -> Outcome {
        guard let row = try db.queryOne("SELECT email, code_hash, attempts, expires_at FROM \(table) WHERE user_id = ?", userID),
              try row.int("expires_at") > now, try row.int("attempts") < Self.maxAttempts else { return .noLiveCode }
        if Self.matches(typed, hash: try row.string("code_hash")) {
            try db.execute("DELETE FROM \(table) WHERE user_id = ?", userID)
            return .verified(email: try row.string("email"))
        }
        let attempts = try row.int("attempts") + 1
        try db.execute("UPDATE \(table) SET attempts = ? WHERE user_id = ?", attempts, userID)
        return attempts >= Self.maxAttempts ? .noLiveCode : .wrong(remaining: Self.maxAttempts - attempts)
    }

    /// The address `userID`'s live code is for (the account's own, or one it is moving to).
    func pendingAddress(userID: Int64, now: Int, in db: any Connection) throws -> String? {
        try db.queryOne("SELECT email FROM \(table) WHERE user_id = ? AND expires_at > ? AND attempts < ?",
                        userID, now, Self.maxAttempts).map { try $0.string("email") }
    }

    /// Drops `userID`'s code, if any (the address it was for is no longer wanted).
    func cancel(userID: Int64, in db: any Connection) throws {
        try db.execute("DELETE FROM \(table) WHERE user_id = ?", userID)
    }

    /// Deletes codes a day past expiry (housekeeping).
    @discardableResult
    func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM \(table) WHERE expires_at < ?", now - 86_400)
    }

    /// The hash of a code as typed: letters only, upper case.
    public static func digest(_ code: String) -> String {
        let normal = String(code.uppercased().unicodeScalars.filter { $0.isASCII && CharacterSet.uppercaseLetters.contains($0) }.prefix(16))
        return Hex.encode(SHA256.hash(normal))
    }
}

/// Too many codes asked for one account; try again after `retryAfter` seconds.
public struct TooManyCodes: Error, Sendable {
    public let retryAfter: Int
    public init(retryAfter: Int) { self.retryAfter = retryAfter }
}
