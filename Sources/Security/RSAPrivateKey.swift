import COpenSSL

/// An RSA private key (EVP_PKEY) for signing RS256 tokens.
///
/// Immutable after creation; OpenSSL 3 allows concurrent signing with one EVP_PKEY as each call
/// uses its own EVP_MD_CTX, hence `@unchecked Sendable` (OpaquePointer is not Sendable).
public final class RSAPrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The public half, for JWKS documents and local verification.
    public let publicKey: RSAPublicKey

    private init(taking pkey: OpaquePointer) throws(RSAKeyError) {
        self.pkey = pkey
        guard EVP_PKEY_is_a(pkey, "RSA") == 1,
              let modulus = bigNumberParameter(pkey, "n"), let exponent = bigNumberParameter(pkey, "e"),
              let publicKey = try? RSAPublicKey(modulus: modulus, exponent: exponent) else {
            throw .invalidPEM
        }
        self.publicKey = publicKey
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// A fresh key of `bits` bits (2048...8192, public exponent 65537).
    public static func generate(bits: Int = 2048) throws(RSAKeyError) -> RSAPrivateKey {
        guard (2048...8192).contains(bits),
              let context = EVP_PKEY_CTX_new_from_name(nil, CName.rsa, nil) else { throw .generationFailed }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
              EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1,
              EVP_PKEY_generate(context, &pkey) == 1, let pkey else {
            clearOpenSSLErrors()
            throw .generationFailed
        }
        do {
            return try RSAPrivateKey(taking: pkey)
        } catch {
            throw .generationFailed
        }
    }

    /// Loads an unencrypted PEM private key (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`).
    public convenience init(pem: String) throws(RSAKeyError) {
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 * 1024 else { throw .invalidPEM }
        let loaded: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            // A password callback that refuses, so an encrypted key fails instead of prompting on a tty.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let loaded else {
            clearOpenSSLErrors()
            throw .invalidPEM
        }
        do {
            try self.init(taking: loaded)
        } catch {
            EVP_PKEY_free(loaded)
            throw .invalidPEM
        }
    }

    /// The key as unencrypted PKCS#8 PEM (a "BEGIN PRIVATE KEY" block). Store it sealed, never as is.
    public var pem: String {
        guard let bio = BIO_new(BIO_s_mem()) else { fatalError("BIO_new failed") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, pkey, nil, nil, 0, nil, nil) == 1 else {
            fatalError("PEM_write_bio_PrivateKey failed")
        }
        let pending = Int(BIO_ctrl_pending(bio))
        let bytes = [UInt8](unsafeUninitializedCapacity: pending) { buffer, initialized in
            initialized = max(0, Int(BIO_read(bio, buffer.baseAddress, Int32(pending))))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (JWS "RS256").
    public func signRS256(_ message: [UInt8]) throws(RSAKeyError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .signingFailed }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, Fetched.sha256, nil, pkey) == 1 else {
            clearOpenSSLErrors()
            throw .signingFailed
        }
        return try withNonNullBytes(message) { (input, count) throws(RSAKeyError) -> [UInt8] in
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
}

/// A big-number key parameter as unsigned big-endian bytes.
func bigNumberParameter(_ pkey: OpaquePointer, _ name: String) -> [UInt8]? {
    var number: OpaquePointer?
    guard EVP_PKEY_get_bn_param(pkey, name, &number) == 1, let number else {
        clearOpenSSLErrors()
        return nil
    }
    defer { BN_free(number) }
    let count = (Int(BN_num_bits(number)) + 7) / 8
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        initialized = Int(BN_bn2bin(number, buffer.baseAddress))
    }
}
