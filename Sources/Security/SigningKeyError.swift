/// Why a P-256 or Ed25519 key could not be made or used.
public enum SigningKeyError: Error, Sendable, Equatable {
    /// OpenSSL could not generate the key.
    case generationFailed
    /// The bytes are not a valid key of that kind (wrong length, or a point not on the curve).
    case invalidKey
    /// OpenSSL refused to produce a signature.
    case signingFailed
}
