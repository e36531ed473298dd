import Testing
@testable import Security

/// Credential public keys: the three algorithms verify (against published vectors and against
/// keys we make), and keys that are malformed, mismatched or of other algorithms are refused.
@Suite struct COSEKeyTests {
    /// RFC 8032 §7.1, test 1: the empty message.
    static let ed25519Public = Fixtures.hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    static let ed25519Signature = Fixtures.hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    /// RFC 6979 Appendix A.2.5: P-256, SHA-256, message "sample".
    static let p256X = Fixtures.hex("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6")
    static let p256Y = Fixtures.hex("7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299")
    static let p256R = Fixtures.hex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716")
    static let p256S = Fixtures.hex("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")

    /// DER `SEQUENCE { INTEGER r, INTEGER s }`, as WebAuthn carries ES256 signatures.
    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            let trimmed = Array(bytes.drop { $0 == 0 })
            let body = trimmed.first.map { $0 & 0x80 != 0 } == true ? [0] + trimmed : trimmed
            return [0x02, UInt8(body.count)] + body
        }
        let content = integer(r) + integer(s)
        return [0x30, UInt8(content.count)] + content
    }

    @Test func ed25519VerifiesTheRFC8032Vector() throws {
        let key = try COSEKey(encoded: COSEKey.encodeEd25519(Self.ed25519Public))
        #expect(key.algorithm == .edDSA)
        #expect(key.verify(signature: Self.ed25519Signature, message: []))
        #expect(!key.verify(signature: Self.ed25519Signature, message: [0]))
        #expect(!key.verify(signature: Array(Self.ed25519Signature.dropLast()), message: []))
        let signer = try Ed25519PrivateKey(seed: Fixtures.hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        #expect(signer.publicKey == Self.ed25519Public)
        #expect(try signer.sign([]) == Self.ed25519Signature)
    }

    @Test func es256VerifiesTheRFC6979VectorInDER() throws {
        let key = try COSEKey(encoded: COSEKey.encodeP256(x: Self.p256X, y: Self.p256Y))
        #expect(key.algorithm == .es256)
        let signature = Self.der(r: Self.p256R, s: Self.p256S)
        #expect(key.verify(signature: signature, message: Fixtures.bytes("sample")))
        #expect(!key.verify(signature: signature, message: Fixtures.bytes("sampler")))
        // The raw r‖s form (JOSE's) is not what WebAuthn sends, and is refused.
        #expect(!key.verify(signature: Self.p256R + Self.p256S, message: Fixtures.bytes("sample")))
        // r without its sign byte reads as a negative number: another encoding, refused.
        let unsigned = [0x30, 0x45, 0x02, 0x20] + Self.p256R + Array(signature.suffix(35))
        #expect(!key.verify(signature: unsigned, message: Fixtures.bytes("sample")))
        // So is one padded past the 72 bytes a P-256 signature can take.
        let padded = [0x30, 0x47, 0x02, 0x22, 0x00, 0x00] + Self.p256R + Array(signature.suffix(35))
        #expect(!key.verify(signature: padded, message: Fixtures.bytes("sample")))
    }

    @Test func generatedKeysSignAndVerifyForEveryAlgorithm() throws {
        let message = Fixtures.bytes("authenticatorData || clientDataHash")
        let p256 = try P256PrivateKey.generate()
        let es256 = try COSEKey(encoded: COSEKey.encodeP256(x: p256.x, y: p256.y))
        #expect(es256.verify(signature: try p256.signES256(message), message: message))
        let ed = try Ed25519PrivateKey.generate()
        let edDSA = try COSEKey(encoded: COSEKey.encodeEd25519(ed.publicKey))
        #expect(edDSA.verify(signature: try ed.sign(message), message: message))
        let rsa = Fixtures.signingKey
        let rs256 = try COSEKey(encoded: COSEKey.encodeRSA(modulus: rsa.publicKey.modulus, exponent: rsa.publicKey.exponent))
        #expect(rs256.algorithm == .rs256)
        #expect(rs256.verify(signature: try rsa.signRS256(message), message: message))
        // A signature by another key of the same kind does not verify.
        #expect(!es256.verify(signature: try P256PrivateKey.generate().signES256(message), message: message))
        #expect(!edDSA.verify(signature: try Ed25519PrivateKey.generate().sign(message), message: message))
        #expect(!rs256.verify(signature: try Fixtures.otherKey.signRS256(message), message: message))
    }

    func map(_ entries: [(Int64, CBORValue)]) -> [UInt8] {
        CBORValue.map(CBORMap(entries.map { (CBORKey.int($0.0), $0.1) })).encoded
    }

    @Test func refusesMalformedAndUnsupportedKeys() {
        let x = CBORValue.bytes(Self.p256X), y = CBORValue.bytes(Self.p256Y)
        #expect(throws: COSEKeyError.malformedCBOR(.truncated(at: 0))) { try COSEKey(encoded: []) }
        #expect(throws: COSEKeyError.notAMap) { try COSEKey(encoded: CBORValue.array([]).encoded) }
        #expect(throws: COSEKeyError.missingParameter(label: 1)) { try COSEKey(encoded: self.map([(3, .int(-7))])) }
        #expect(throws: COSEKeyError.missingParameter(label: 3)) { try COSEKey(encoded: self.map([(1, .int(2))])) }
        #expect(throws: COSEKeyError.unsupportedAlgorithm(-35)) {
            try COSEKey(encoded: self.map([(1, .int(2)), (3, .int(-35)), (-1, .int(2)), (-2, x), (-3, y)]))
        }
        #expect(throws: COSEKeyError.unsupportedKeyType(4)) { try COSEKey(encoded: self.map([(1, .int(4)), (3, .int(-7))])) }
        #expect(throws: COSEKeyError.algorithmDoesNotMatchKeyType) {
            try COSEKey(encoded: self.map([(1, .int(2)), (3, .int(-8)), (-1, .int(1)), (-2, x), (-3, y)]))
        }
        #expect(throws: COSEKeyError.unsupportedCurve(2)) {
            try COSEKey(encoded: self.map([(1, .int(2)), (3, .int(-7)), (-1, .int(2)), (-2, x), (-3, y)]))
        }
        #expect(throws: COSEKeyError.missingParameter(label: -3)) {
            try COSEKey(encoded: self.map([(1, .int(2)), (3, .int(-7)), (-1, .int(1)), (-2, x), (-3, .bool(true))]))
        }
        #expect(throws: COSEKeyError.containsPrivateKey) {
            try COSEKey(encoded: self.map([(1, .int(2)), (3, .int(-7)), (-1, .int(1)), (-2, x), (-3, y), (-4, .bytes([1]))]))
        }
        // A point off the curve, and coordinates of the wrong length.
        var offCurve = Self.p256Y
        offCurve[31] ^= 1
        #expect(throws: COSEKeyError.invalidKey) { try COSEKey(encoded: COSEKey.encodeP256(x: Self.p256X, y: offCurve)) }
        #expect(throws: COSEKeyError.invalidKey) { try COSEKey(encoded: COSEKey.encodeP256(x: Array(Self.p256X.dropFirst()), y: Self.p256Y)) }
        #expect(throws: COSEKeyError.invalidKey) { try COSEKey(encoded: COSEKey.encodeEd25519(Array(repeating: 1, count: 31))) }
        #expect(throws: COSEKeyError.invalidKey) { try COSEKey(encoded: COSEKey.encodeRSA(modulus: Array(repeating: 0xFF, count: 64), exponent: [1, 0, 1])) }
    }
}
