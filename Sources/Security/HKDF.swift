import COpenSSL

/// HKDF (RFC 5869) through EVP_KDF.
public enum HKDF {
    /// Extract-then-expand HKDF-SHA256; `length` must be 1...8160 (255 blocks).
    public static func sha256(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length > 0 && length <= 255 * 32, "HKDF-SHA256 output length out of range")
        guard let context = EVP_KDF_CTX_new(Fetched.hkdf) else { fatalError("EVP_KDF_CTX_new failed") }
        defer { EVP_KDF_CTX_free(context) }
        let params = ParamList()
        params.utf8("digest", "SHA256")
        params.octets("key", ikm)
        // RFC 5869: an absent salt is HashLen zero bytes, which is what OpenSSL does when none is set.
        if !salt.isEmpty { params.octets("salt", salt) }
        params.octets("info", info)
        return [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            let ok = params.withParams { EVP_KDF_derive(context, output.baseAddress, length, $0) }
            guard ok == 1 else { fatalError("EVP_KDF_derive(HKDF) failed") }
            initialized = length
        }
    }
}
