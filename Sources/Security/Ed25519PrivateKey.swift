import COpenSSL

/// An Ed25519 key (RFC 8032) through EVP_PKEY; like `P256PrivateKey`, here for tests and for
/// whoever later signs with EdDSA.
public final class Ed25519PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The 32-byte public key.
    public let publicKey: [UInt8]

    private init(taking pkey: OpaquePointer) throws(SigningKeyError) {
        self.pkey = pkey
        var length = 32
        var raw = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1, length == 32 else {
            clearOpenSSLErrors()
            throw .invalidKey
        }
        publicKey = raw
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// A fresh key from OpenSSL's generator.
    public static func generate() throws(SigningKeyError) -> Ed25519PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, CName.ed25519, nil) else { throw .generationFailed }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_generate(context, &pkey) == 1, let pkey else {
            clearOpenSSLErrors()
            throw .generationFailed
        }
        do {
            return try Ed25519PrivateKey(taking: pkey)
        } catch {
            throw .generationFailed
        }
    }

    /// The key whose 32-byte private seed is `seed` (RFC 8032 test vectors give keys this way).
    public convenience init(seed: [UInt8]) throws(SigningKeyError) {
        guard seed.count == 32, let pkey = EVP_PKEY_new_raw_private_key_ex(nil, CName.ed25519, nil, seed, seed.count) else {
            clearOpenSSLErrors()
            throw .invalidKey
        }
        do {
            try self.init(taking: pkey)
        } catch {
            EVP_PKEY_free(pkey)
            throw .invalidKey
        }
    }

    /// The 64-byte Ed25519 signature of `message`.
    public func sign(_ message: [UInt8]) throws(SigningKeyError) -> [UInt8] {
        try digestSign(pkey, digest: nil, message: message)
    }
}
