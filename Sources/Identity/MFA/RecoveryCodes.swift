import Security
import Storage

/// Recovery codes for both apps: ten single-use codes such as `k7d2-9xqm-4b`, for when the
/// passkey or authenticator app is lost. Each is 50 random bits (10 symbols of Crockford's
/// base32: no i, l, o or u to misread), stored as SHA-256 of the account id and the code.
///
/// Why a fast hash is enough here, unlike for passwords: nobody chooses these codes, so there
/// is no dictionary to try first, and each code is bound to one account, so one guess tests one
/// account's ten codes. A stolen table would cost about 2^46 hashes per account to open a code,
/// and a code is worth nothing without that account's password. Online guessing is held to
/// `SecondFactor.attemptLimit`.
public enum RecoveryCodes {
    /// Codes per set.
    public static let count = 10
    static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
    static let length = 10

    /// A new set for `userID`, replacing every earlier code, used or not. Show them once.
    public static func regenerate(userID: Int64, now: Int, in db: any Connection) throws -> [String] {
        _ = try db.execute("DELETE FROM recovery_codes WHERE user_id = ?", userID)
        var codes: [String] = []
        while codes.count < count {
            // 256 is a multiple of 32, so the low five bits of a random byte are uniform.
            let symbols = SecureRandom.bytes(length).map { alphabet[Int($0 & 31)] }
            let code = String(symbols[0..<4]) + "-" + String(symbols[4..<8]) + "-" + String(symbols[8..<10])
            guard !codes.contains(code) else { continue }
            codes.append(code)
            _ = try db.execute("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)", userID, digest(code, userID: userID), now)
        }
        return codes
    }

    /// Uses the code `typed` (case, spaces and dashes do not matter; o, i and l read as 0, 1, 1).
    public static func consume(userID: Int64, typed: String, now: Int, in db: any Connection) throws -> SecondFactor.Check {
        let subject = SecondFactor.subject(userID)
        if let wait = try SecondFactor.attemptLimit.wait(subject, now: now, in: db) { return .throttled(retryAfter: wait) }
        guard try db.queryOne("SELECT 1 AS found FROM recovery_codes WHERE user_id = ?", userID) != nil else { return .notEnrolled }
        let hash = digest(typed, userID: userID)
        if try db.execute("UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL", now, userID, hash) == 1 {
            return .accepted
        }
        _ = try SecondFactor.attemptLimit.hit(subject, now: now, in: db)
        let used = try db.queryOne("SELECT 1 AS found FROM recovery_codes WHERE user_id = ? AND code_hash = ?", userID, hash) != nil
        return used ? .alreadyUsed : .wrong
    }

    /// How many unused codes `userID` has.
    public static func remaining(userID: Int64, in db: any Connection) throws -> Int {
        try db.queryOne("SELECT COUNT(*) AS remaining FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", userID)?.int("remaining") ?? 0
    }

    /// Deletes every code of `userID` (the last second factor was removed).
    public static func removeAll(userID: Int64, in db: any Connection) throws {
        _ = try db.execute("DELETE FROM recovery_codes WHERE user_id = ?", userID)
    }

    /// The stored form of a code as typed: normalized, then hashed with the account id.
    static func digest(_ typed: String, userID: Int64) -> String {
        let normal = String(typed.lowercased().compactMap { character -> Character? in
            switch character {
            case "-", " ": nil
            case "o": "0"
            case "i", "l": "1"
            default: character
            }
        }.prefix(32))
        return Hex.encode(SHA256.hash("\(userID):\(normal)"))
    }
}
