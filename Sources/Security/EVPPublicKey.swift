import COpenSSL

/// A public key held by OpenSSL (an EVP_PKEY), for the elliptic-curve algorithms WebAuthn
/// credentials use: ECDSA on P-256 with SHA-256, and Ed25519. RSA keys have `RSAPublicKey`.
///
/// Immutable after creation, and each verification uses its own EVP_MD_CTX, hence `@unchecked`.
final class EVPPublicKey: @unchecked Sendable {
    /// EVP_PKEY_PUBLIC_KEY, a macro too compound for Swift's importer.
    static let publicKeySelection = Int32(OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS
        | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY)
    /// The longest DER ECDSA P-256 signature: SEQUENCE of two INTEGERs of up to 33 bytes.
    static let maxP256SignatureLength = 72

    let pkey: OpaquePointer

    private init(taking pkey: OpaquePointer) {
        self.pkey = pkey
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// The P-256 point (`x`, `y`), 32 bytes each; nil unless it is on the curve and not the identity.
    static func p256(x: [UInt8], y: [UInt8]) -> EVPPublicKey? {
        guard x.count == 32, y.count == 32 else { return nil }
        let params = ParamList()
        params.utf8("group", "P-256")
        params.octets("pub", [0x04] + x + y)
        guard let context = EVP_PKEY_CTX_new_from_name(nil, CName.ec, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        let built = params.withParams { list in
            EVP_PKEY_fromdata_init(context) == 1
                && EVP_PKEY_fromdata(context, &pkey, publicKeySelection, UnsafeMutablePointer(mutating: list)) == 1
        }
        guard built, let pkey else {
            clearOpenSSLErrors()
            return nil
        }
        let key = EVPPublicKey(taking: pkey)
        // fromdata already decodes the point onto the curve; the explicit check also refuses
        // the point at infinity and says so in one place.
        guard key.passesPublicCheck() else { return nil }
        return key
    }

    /// The 32-byte Ed25519 public key `raw` (RFC 8032); nil if OpenSSL refuses it.
    static func ed25519(_ raw: [UInt8]) -> EVPPublicKey? {
        guard raw.count == 32, let pkey = EVP_PKEY_new_raw_public_key_ex(nil, CName.ed25519, nil, raw, raw.count) else {
            clearOpenSSLErrors()
            return nil
        }
        return EVPPublicKey(taking: pkey)
    }

    /// True when `signature` is a DER-encoded ECDSA signature over SHA-256(`message`) (COSE ES256
    /// as WebAuthn carries it). OpenSSL re-encodes the DER and refuses any other encoding of the
    /// same numbers, so a signature cannot be malleated into a second valid form.
    func verifyES256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard !signature.isEmpty, signature.count <= Self.maxP256SignatureLength else { return false }
        return verify(digest: Fetched.sha256, signature: signature, message: message)
    }

    /// True when `signature` is the 64-byte Ed25519 signature of `message` (COSE EdDSA).
    func verifyEd25519(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        return verify(digest: nil, signature: signature, message: message)
    }

    private func verify(digest: OpaquePointer?, signature: [UInt8], message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, digest, nil, pkey) == 1 else {
            clearOpenSSLErrors()
            return false
        }
        let verified = withNonNullBytes(message) { input, count in
            EVP_DigestVerify(context, signature, signature.count, input, count)
        }
        if verified != 1 { clearOpenSSLErrors() }
        return verified == 1
    }

    private func passesPublicCheck() -> Bool {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        let ok = EVP_PKEY_public_check(context) == 1
        if !ok { clearOpenSSLErrors() }
        return ok
    }
}
