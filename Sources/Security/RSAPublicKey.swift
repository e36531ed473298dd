import COpenSSL

/// An RSA public key (EVP_PKEY) for verifying RS256 signatures, built from JWK components.
///
/// Immutable after creation, and each verification uses its own EVP_MD_CTX, hence `@unchecked`.
public final class RSAPublicKey: @unchecked Sendable {
    private static let modulusBits = 2048...8192
    /// EVP_PKEY_PUBLIC_KEY, a macro too compound for Swift's importer.
    private static let publicKeySelection = Int32(OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS
        | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY)

    let pkey: OpaquePointer
    /// The modulus as unsigned big-endian bytes, without leading zeros.
    public let modulus: [UInt8]
    /// The public exponent as unsigned big-endian bytes, without leading zeros.
    public let exponent: [UInt8]

    /// A key from its modulus and exponent (JWK `n` and `e`, decoded), 2048 to 8192 bits.
    public init(modulus: [UInt8], exponent: [UInt8]) throws(RSAKeyError) {
        let modulus = Array(modulus.drop { $0 == 0 })
        let exponent = Array(exponent.drop { $0 == 0 })
        guard let top = modulus.first, let lastExponentByte = exponent.last,
              Self.modulusBits.contains(modulus.count * 8 - top.leadingZeroBitCount),
              exponent.count <= 8, lastExponentByte & 1 == 1, exponent != [1] else {
            throw .invalidComponents
        }
        guard let pkey = Self.build(modulus: modulus, exponent: exponent) else {
            clearOpenSSLErrors()
            throw .invalidComponents
        }
        self.pkey = pkey
        self.modulus = modulus
        self.exponent = exponent
    }

    /// A key from an RSA JWK; fails for other key types or undecodable components.
    public convenience init(jwk: JWK) throws(RSAKeyError) {
        guard jwk.kty == "RSA", let n = jwk.n, let e = jwk.e,
              let modulus = Base64URL.decode(n), let exponent = Base64URL.decode(e) else {
            throw .invalidComponents
        }
        try self.init(modulus: modulus, exponent: exponent)
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// True when `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    public func verifyRS256(signature: [UInt8], message: [UInt8]) -> Bool {
        // A valid signature is exactly as long as the modulus; anything else is rejected before OpenSSL.
        guard signature.count == modulus.count, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, Fetched.sha256, nil, pkey) == 1 else {
            clearOpenSSLErrors()
            return false
        }
        let verified = withNonNullBytes(message) { input, count in
            EVP_DigestVerify(context, signature, signature.count, input, count)
        }
        if verified != 1 { clearOpenSSLErrors() }
        return verified == 1
    }

    /// RFC 7638 thumbprint: base64url SHA-256 of the canonical `{"e","kty","n"}` JSON.
    public var thumbprint: String {
        let canonical = "{\"e\":\"\(Base64URL.encode(exponent))\",\"kty\":\"RSA\",\"n\":\"\(Base64URL.encode(modulus))\"}"
        return Base64URL.encode(SHA256.hash(canonical))
    }

    /// The key as a signing JWK for RS256, its `kid` being the thumbprint.
    public var jwk: JWK {
        jwk(kid: thumbprint)
    }

    /// The key as a signing JWK for RS256 with the given `kid`.
    public func jwk(kid: String) -> JWK {
        JWK(kty: "RSA", kid: kid, use: "sig", alg: "RS256",
            n: Base64URL.encode(modulus), e: Base64URL.encode(exponent))
    }

    private static func build(modulus: [UInt8], exponent: [UInt8]) -> OpaquePointer? {
        guard let builder = OSSL_PARAM_BLD_new() else { return nil }
        defer { OSSL_PARAM_BLD_free(builder) }
        let n = BN_bin2bn(modulus, Int32(modulus.count), nil)
        let e = BN_bin2bn(exponent, Int32(exponent.count), nil)
        defer {
            BN_free(n)
            BN_free(e)
        }
        guard n != nil, e != nil,
              OSSL_PARAM_BLD_push_BN(builder, CName.n, n) == 1, OSSL_PARAM_BLD_push_BN(builder, CName.e, e) == 1,
              let params = OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, CName.rsa, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &pkey, Self.publicKeySelection, params) == 1 else { return nil }
        return pkey
    }
}
