import Security

/// The one way codes, tokens and client secrets are stored: the hex SHA-256 of the string the
/// holder presents. They carry 256 random bits, so a fast hash is enough (no salt, no stretching):
/// nobody can guess a preimage, and lookups stay a single indexed equality.
enum TokenHash {
    /// The stored form of `token`.
    static func of(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }

    /// A fresh 256-bit token, base64url (43 characters).
    static func newToken() -> String { SecureRandom.token(byteCount: 32) }

    /// A new grant family's id (the tokens one grant and its refreshes issue, revoked together).
    /// It is never shown to anyone, only indexed: it starts with the time, in fixed-width hex, so
    /// that each new family lands at the end of `access_tokens_family` and `refresh_tokens_family`
    /// instead of on a random page of each. A random id dirtied a page per grant in each index (a
    /// WAL frame written and later copied back, issue 17); the random half keeps ids unique.
    static func newFamilyID(at now: Int) -> String {
        let time = String(UInt64(max(0, now)), radix: 16)
        return String(repeating: "0", count: max(0, 12 - time.utf8.count)) + time + "." + SecureRandom.token(byteCount: 16)
    }

    /// Tokens we issue are at most a few dozen characters; anything huge is not worth hashing.
    static func isPlausible(_ token: String) -> Bool { !token.isEmpty && token.utf8.count <= 512 }
}
