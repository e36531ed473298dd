import Security

/// The one way codes, tokens and client secrets are stored: the hex SHA-256 of the string the
/// holder presents. They carry 256 random bits, so a fast hash is enough (no salt, no stretching):
/// nobody can guess a preimage, and lookups stay a single indexed equality.
enum TokenHash {
    /// The stored form of `token`.
    static func of(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }

    /// A fresh 256-bit token, base64url (43 characters).
    static func newToken() -> String { SecureRandom.token(byteCount: 32) }

    /// Tokens we issue are at most a few dozen characters; anything huge is not worth hashing.
    static func isPlausible(_ token: String) -> Bool { !token.isEmpty && token.utf8.count <= 512 }
}
