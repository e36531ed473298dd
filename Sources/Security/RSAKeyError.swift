/// Why an RSA key could not be created, loaded or used.
public enum RSAKeyError: Error, Sendable, Equatable {
    /// Key generation failed or the size is outside 2048...8192 bits.
    case generationFailed
    /// The PEM text is not an unencrypted RSA private key.
    case invalidPEM
    /// The modulus or exponent is out of bounds or not a valid RSA public key.
    case invalidComponents
    /// OpenSSL refused to produce a signature.
    case signingFailed
}
