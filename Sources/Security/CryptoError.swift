/// Why a sealed token could not be opened.
public enum CryptoError: Error, Sendable, Equatable {
    /// Not a token we produce: wrong version, bad encoding, or too short.
    case malformed
    /// Sealed under a key that is neither the primary secret nor any fallback.
    case unknownKey
    /// The key matched but the tag did not: tampered data, wrong purpose or wrong associated data.
    case authenticationFailed
}
