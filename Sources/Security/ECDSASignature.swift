import COpenSSL

/// JOSE carries an ES256 signature as the two 32-byte numbers r‖s (RFC 7518 §3.4); OpenSSL and
/// WebAuthn use DER. OpenSSL's ECDSA_SIG converts between them.
enum ECDSASignature {
    /// r‖s (64 bytes) as DER; nil when it is not 64 bytes.
    static func der(fromJOSE raw: [UInt8]) -> [UInt8]? {
        guard raw.count == 64, let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        guard let r = BN_bin2bn(raw, 32, nil) else { return nil }
        guard let s = raw.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress! + 32, 32, nil) }) else {
            BN_free(r)
            return nil
        }
        // set0 takes ownership of r and s.
        guard ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            clearOpenSSLErrors()
            return nil
        }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &cursor)
        }
        return written == length ? out : nil
    }

    /// DER as r‖s (64 bytes); nil when it is not a DER ECDSA signature with numbers of at most 32 bytes.
    static func jose(fromDER der: [UInt8]) -> [UInt8]? {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let sig = parsed else {
            clearOpenSSLErrors()
            return nil
        }
        defer { ECDSA_SIG_free(sig) }
        guard let r = ECDSA_SIG_get0_r(sig), let s = ECDSA_SIG_get0_s(sig) else { return nil }
        var out = [UInt8](repeating: 0, count: 64)
        let ok = out.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(r, buffer.baseAddress, 32) == 32 && BN_bn2binpad(s, buffer.baseAddress! + 32, 32) == 32
        }
        return ok ? out : nil
    }
}

extension P256PrivateKey {
    /// ES256 as JOSE carries it (r‖s, 64 bytes): for DPoP proofs and other JWS.
    public func signES256JWS(_ message: [UInt8]) throws(SigningKeyError) -> [UInt8] {
        guard let raw = ECDSASignature.jose(fromDER: try signES256(message)) else { throw .signingFailed }
        return raw
    }
}
