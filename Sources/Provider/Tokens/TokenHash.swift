import Security

/// The one way codes, tokens and client secrets are stored: the hex SHA-256 of the string the
/// holder presents (after the time, for access and refresh tokens: `newOrderedToken`). They
/// carry 256 random bits, so a fast hash is enough (no salt, no stretching): nobody can guess a
/// preimage, and lookups stay a single indexed equality.
enum TokenHash {
    /// The stored form of `token`: for a token from `newOrderedToken`, its time prefix and then
    /// the hash, so that the row's key sorts by time too; for any other string, the hash alone.
    static func of(_ token: String) -> String {
        let hash = Hex.encode(SHA256.hash(token))
        guard let prefix = orderedPrefix(token) else { return hash }
        return prefix + hash
    }

    /// A fresh 256-bit token, base64url (43 characters).
    static func newToken() -> String { SecureRandom.token(byteCount: 32) }

    /// A fresh 256-bit token that starts with the time in fixed-width hex, for the tokens minted
    /// on every grant (access and refresh tokens). Their stored form starts with the same prefix,
    /// so each new row's key goes at the end of the table's primary-key index: a random key put
    /// each grant on a random page of an index that outgrows the cache, one more WAL frame per
    /// grant that a checkpoint later copies back, and grants slowed as the table grew (issue 17).
    /// The prefix tells whoever holds the token when it was issued, which the `iat` of a JWT and
    /// introspection tell them anyway; the 256 random bits after it are what make it unguessable.
    static func newOrderedToken(at now: Int) -> String { timePrefix(now) + newToken() }

    /// A new grant family's id (the tokens one grant and its refreshes issue, revoked together),
    /// time first for the same reason; never shown to anyone.
    static func newFamilyID(at now: Int) -> String { timePrefix(now) + "." + SecureRandom.token(byteCount: 16) }

    private static let prefixLength = 12

    private static func timePrefix(_ now: Int) -> String {
        let time = String(UInt64(max(0, now)), radix: 16)
        return String(repeating: "0", count: max(0, prefixLength - time.utf8.count)) + time
    }

    /// The time prefix of a token shaped like `newOrderedToken`'s (12 lowercase hex digits, then
    /// 43 characters), else nil.
    private static func orderedPrefix(_ token: String) -> String? {
        let bytes = token.utf8
        guard bytes.count == prefixLength + 43 else { return nil }
        let prefix = bytes.prefix(prefixLength)
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9"), letters = UInt8(ascii: "a")...UInt8(ascii: "f")
        guard prefix.allSatisfy({ digits.contains($0) || letters.contains($0) }) else { return nil }
        return String(decoding: prefix, as: UTF8.self)
    }

    /// Tokens we issue are at most a few dozen characters; anything huge is not worth hashing.
    static func isPlausible(_ token: String) -> Bool { !token.isEmpty && token.utf8.count <= 512 }
}
