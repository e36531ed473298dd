/// The signature algorithms we accept for credentials (COSE numbers, RFC 9053 and RFC 8812):
/// what passkeys, security keys and Windows Hello use. Everything else is refused at
/// registration, so a stored credential always has a verifier.
public enum COSEAlgorithm: Int, Sendable, CaseIterable {
    /// ECDSA on P-256 with SHA-256; WebAuthn carries the signature DER-encoded.
    case es256 = -7
    /// Ed25519; a raw 64-byte signature.
    case edDSA = -8
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = -257
}

/// Why bytes are not a credential public key we can use.
public enum COSEKeyError: Error, Sendable, Equatable {
    /// Not well-formed CBOR under the decoder's limits.
    case malformedCBOR(CBORError)
    /// Well-formed, but not a map.
    case notAMap
    /// A required parameter (a COSE label) is missing or of the wrong type.
    case missingParameter(label: Int64)
    /// `kty` is not EC2, OKP or RSA.
    case unsupportedKeyType(Int64)
    /// `alg` is not ES256, EdDSA or RS256.
    case unsupportedAlgorithm(Int64)
    /// `alg` does not go with `kty` (ES256 needs EC2, EdDSA needs OKP, RS256 needs RSA).
    case algorithmDoesNotMatchKeyType
    /// `crv` is not P-256 (EC2) or Ed25519 (OKP).
    case unsupportedCurve(Int64)
    /// The key carries private parameters; a credential public key never should.
    case containsPrivateKey
    /// The coordinates or components do not make a valid key (point off the curve, RSA size).
    case invalidKey
}

/// A credential public key in COSE_Key form (RFC 9052 §7, RFC 9053 §2 and §7), reduced to
/// EC2/P-256/ES256, OKP/Ed25519/EdDSA and RSA/RS256. Built once from the bytes an authenticator
/// returned, it keeps those bytes for storage and an OpenSSL key for verifying.
public struct COSEKey: Sendable {
    /// COSE labels of the parameters we read.
    enum Label {
        static let kty: Int64 = 1, alg: Int64 = 3
        static let crv: Int64 = -1, x: Int64 = -2, y: Int64 = -3, d: Int64 = -4
        static let n: Int64 = -1, e: Int64 = -2, rsaPrivate: Int64 = -3
    }

    enum KeyType {
        static let okp: Int64 = 1, ec2: Int64 = 2, rsa: Int64 = 3
    }

    enum Curve {
        static let p256: Int64 = 1, ed25519: Int64 = 6
    }

    enum Verifier: Sendable {
        case ecdsa(EVPPublicKey)
        case ed25519(EVPPublicKey)
        case rsa(RSAPublicKey)
    }

    /// The key's algorithm.
    public let algorithm: COSEAlgorithm
    /// The key as the authenticator encoded it: what is stored and parsed again at sign-in.
    public let encoded: [UInt8]
    let verifier: Verifier

    /// Parses and checks an encoded COSE_Key.
    public init(encoded: [UInt8]) throws(COSEKeyError) {
        let value: CBORValue
        do {
            value = try CBORDecoder().decode(encoded)
        } catch {
            throw .malformedCBOR(error)
        }
        try self.init(value, encoded: encoded)
    }

    /// Checks a COSE_Key already decoded from `encoded` (authenticator data embeds one).
    init(_ value: CBORValue, encoded: [UInt8]) throws(COSEKeyError) {
        guard let map = value.mapValue else { throw .notAMap }
        let keyType = try Self.integer(map, Label.kty)
        let algorithmNumber = try Self.integer(map, Label.alg)
        guard let algorithm = Int(exactly: algorithmNumber).flatMap(COSEAlgorithm.init(rawValue:)) else {
            throw .unsupportedAlgorithm(algorithmNumber)
        }
        switch keyType {
        case KeyType.ec2:
            guard algorithm == .es256 else { throw .algorithmDoesNotMatchKeyType }
            let curve = try Self.integer(map, Label.crv)
            guard curve == Curve.p256 else { throw .unsupportedCurve(curve) }
            guard map[Label.d] == nil else { throw .containsPrivateKey }
            // A compressed point (y given as a bool) is refused: WebAuthn keys are uncompressed.
            guard let key = EVPPublicKey.p256(x: try Self.bytes(map, Label.x), y: try Self.bytes(map, Label.y)) else {
                throw .invalidKey
            }
            verifier = .ecdsa(key)
        case KeyType.okp:
            guard algorithm == .edDSA else { throw .algorithmDoesNotMatchKeyType }
            let curve = try Self.integer(map, Label.crv)
            guard curve == Curve.ed25519 else { throw .unsupportedCurve(curve) }
            guard map[Label.d] == nil else { throw .containsPrivateKey }
            guard let key = EVPPublicKey.ed25519(try Self.bytes(map, Label.x)) else { throw .invalidKey }
            verifier = .ed25519(key)
        case KeyType.rsa:
            guard algorithm == .rs256 else { throw .algorithmDoesNotMatchKeyType }
            guard map[Label.rsaPrivate] == nil else { throw .containsPrivateKey }
            let modulus = try Self.bytes(map, Label.n), exponent = try Self.bytes(map, Label.e)
            guard let key = try? RSAPublicKey(modulus: modulus, exponent: exponent) else { throw .invalidKey }
            verifier = .rsa(key)
        default:
            throw .unsupportedKeyType(keyType)
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// True when `signature` is this key's signature of `message` under its algorithm.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        switch verifier {
        case .ecdsa(let key): key.verifyES256(signature: signature, message: message)
        case .ed25519(let key): key.verifyEd25519(signature: signature, message: message)
        case .rsa(let key): key.verifyRS256(signature: signature, message: message)
        }
    }

    private static func integer(_ map: CBORMap, _ label: Int64) throws(COSEKeyError) -> Int64 {
        guard let value = map[label]?.int64Value else { throw .missingParameter(label: label) }
        return value
    }

    private static func bytes(_ map: CBORMap, _ label: Int64) throws(COSEKeyError) -> [UInt8] {
        guard let value = map[label]?.bytesValue else { throw .missingParameter(label: label) }
        return value
    }
}

extension COSEKey {
    /// The COSE_Key for a P-256 public point, keys in CTAP2 canonical order.
    public static func encodeP256(x: [UInt8], y: [UInt8]) -> [UInt8] {
        CBORValue.map(CBORMap([(.int(Label.kty), .int(KeyType.ec2)), (.int(Label.alg), .int(-7)),
                               (.int(Label.crv), .int(Curve.p256)), (.int(Label.x), .bytes(x)),
                               (.int(Label.y), .bytes(y))])).encoded
    }

    /// The COSE_Key for an Ed25519 public key.
    public static func encodeEd25519(_ publicKey: [UInt8]) -> [UInt8] {
        CBORValue.map(CBORMap([(.int(Label.kty), .int(KeyType.okp)), (.int(Label.alg), .int(-8)),
                               (.int(Label.crv), .int(Curve.ed25519)), (.int(Label.x), .bytes(publicKey))])).encoded
    }

    /// The COSE_Key for an RSA public key.
    public static func encodeRSA(modulus: [UInt8], exponent: [UInt8]) -> [UInt8] {
        CBORValue.map(CBORMap([(.int(Label.kty), .int(KeyType.rsa)), (.int(Label.alg), .int(-257)),
                               (.int(Label.n), .bytes(modulus)), (.int(Label.e), .bytes(exponent))])).encoded
    }
}
