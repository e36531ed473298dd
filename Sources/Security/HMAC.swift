import COpenSSL

/// HMAC (RFC 2104) through EVP_MAC.
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key`, 32 bytes.
    ///
    /// A fresh EVP_MAC_CTX per call from a pre-fetched HMAC and pre-built parameters (about 1 µs in
    /// release builds); sharing one keyed context across threads would be faster still but is not
    /// something OpenSSL promises to be safe.
    public static func sha256(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        compute(key: key, message: message, digest: Fetched.sha256DigestParams, length: 32)
    }

    /// HMAC-SHA1 of `message` under `key`, 20 bytes. Only for HOTP/TOTP, whose codes every
    /// authenticator app computes this way; HMAC-SHA1 remains a sound MAC (collisions in SHA-1
    /// do not help forge it).
    public static func sha1(key: [UInt8], message: some Collection<UInt8>) -> [UInt8] {
        compute(key: key, message: message, digest: Fetched.sha1DigestParams, length: 20)
    }

    private static func compute(key: [UInt8], message: some Collection<UInt8>, digest: UnsafePointer<OSSL_PARAM>,
                                length: Int) -> [UInt8] {
        guard let context = EVP_MAC_CTX_new(Fetched.hmac) else { fatalError("EVP_MAC_CTX_new failed") }
        defer { EVP_MAC_CTX_free(context) }
        // An empty key is legal HMAC; OpenSSL only needs a non-null pointer for it.
        let keyed = key.isEmpty
            ? [UInt8](repeating: 0, count: 1).withUnsafeBufferPointer {
                EVP_MAC_init(context, $0.baseAddress, 0, digest)
            }
            : key.withUnsafeBufferPointer {
                EVP_MAC_init(context, $0.baseAddress, $0.count, digest)
            }
        guard keyed == 1 else { fatalError("EVP_MAC_init failed") }
        let updated = withBytes(message) { input in
            input.isEmpty ? 1 : EVP_MAC_update(context, input.baseAddress, input.count)
        }
        guard updated == 1 else { fatalError("EVP_MAC_update failed") }
        return [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            var written = 0
            guard EVP_MAC_final(context, output.baseAddress, &written, length) == 1, written == length else {
                fatalError("EVP_MAC_final failed")
            }
            initialized = length
        }
    }
}
