import COpenSSL

/// An ECDSA key on P-256 (EVP_PKEY), the key of most passkeys. The product only verifies with
/// such keys; generating and signing are here for the test authenticator, and for whoever later
/// signs with ES256.
///
/// Immutable after creation; each signature uses its own EVP_MD_CTX, hence `@unchecked Sendable`.
public final class P256PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The public point's x coordinate, 32 bytes big-endian.
    public let x: [UInt8]
    /// The public point's y coordinate, 32 bytes big-endian.
    public let y: [UInt8]

    private init(taking pkey: OpaquePointer) throws(SigningKeyError) {
        self.pkey = pkey
        guard let x = bigNumberParameter(pkey, "qx"), let y = bigNumberParameter(pkey, "qy"),
              x.count <= 32, y.count <= 32 else { throw .invalidKey }
        self.x = [UInt8](repeating: 0, count: 32 - x.count) + x
        self.y = [UInt8](repeating: 0, count: 32 - y.count) + y
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// A fresh key from OpenSSL's generator.
    public static func generate() throws(SigningKeyError) -> P256PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, CName.ec, nil) else { throw .generationFailed }
        defer { EVP_PKEY_CTX_free(context) }
        let params = ParamList()
        params.utf8("group", "P-256")
        var pkey: OpaquePointer?
        let generated = params.withParams { list in
            EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_CTX_set_params(context, list) == 1
                && EVP_PKEY_generate(context, &pkey) == 1
        }
        guard generated, let pkey else {
            clearOpenSSLErrors()
            throw .generationFailed
        }
        do {
            return try P256PrivateKey(taking: pkey)
        } catch {
            throw .generationFailed
        }
    }

    /// ECDSA over SHA-256(`message`), DER-encoded (COSE ES256 as WebAuthn carries it).
    public func signES256(_ message: [UInt8]) throws(SigningKeyError) -> [UInt8] {
        try digestSign(pkey, digest: Fetched.sha256, message: message)
    }
}

/// One-shot EVP_DigestSign; `digest` nil for Ed25519, which hashes internally.
func digestSign(_ pkey: OpaquePointer, digest: OpaquePointer?, message: [UInt8]) throws(SigningKeyError) -> [UInt8] {
    guard let context = EVP_MD_CTX_new() else { throw .signingFailed }
    defer { EVP_MD_CTX_free(context) }
    guard EVP_DigestSignInit(context, nil, digest, nil, pkey) == 1 else {
        clearOpenSSLErrors()
        throw .signingFailed
    }
    return try withNonNullBytes(message) { (input, count) throws(SigningKeyError) -> [UInt8] in
        var length = 0
        guard EVP_DigestSign(context, nil, &length, input, count) == 1, length > 0 else {
            clearOpenSSLErrors()
            throw .signingFailed
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, input, count) == 1 else {
            clearOpenSSLErrors()
            throw .signingFailed
        }
        return Array(signature.prefix(length))
    }
}
