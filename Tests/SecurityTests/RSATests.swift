import Testing
@testable import Security

@Suite struct RSATests {
    /// RFC 7515 Appendix A.2: the example RSA public key and its RS256 signature.
    static let rfc7515Modulus = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4"
        + "d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdb"
        + "BYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWN"
        + "moudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
    static let rfc7515Token = "eyJhbGciOiJSUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujG"
        + "bds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0G"
        + "arZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6Lbg"
        + "GY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"

    @Test func verifiesTheRFC7515RS256Example() throws {
        let key = try RSAPublicKey(jwk: JWK(kty: "RSA", n: Self.rfc7515Modulus, e: "AQAB"))
        let parts = Self.rfc7515Token.split(separator: ".")
        let signature = try #require(Base64URL.decode(parts[2]))
        let message = Array("\(parts[0]).\(parts[1])".utf8)
        #expect(key.verifyRS256(signature: signature, message: message))
        #expect(!key.verifyRS256(signature: signature, message: message + [0x20]))
        let jwt = try JWT.parse(Self.rfc7515Token)
        #expect(jwt.claims.string("iss") == "joe")
        #expect(jwt.claims.int("exp") == 1_300_819_380)
        #expect(jwt.claims.bool("http://example.com/is_root") == true)
    }

    @Test func thumbprintMatchesRFC7638Example() throws {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXj"
            + "BZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSq"
            + "zs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHa"
            + "Q-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        let key = try RSAPublicKey(jwk: JWK(kty: "RSA", n: n, e: "AQAB"))
        #expect(key.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(key.jwk.n == n && key.jwk.e == "AQAB" && key.jwk.kid == key.thumbprint)
    }

    @Test func generatedKeySignsAndItsPublicKeyVerifies() throws {
        let key = Fixtures.signingKey
        let message = Fixtures.bytes("header.payload")
        let signature = try key.signRS256(message)
        #expect(signature.count == 256)
        #expect(key.publicKey.verifyRS256(signature: signature, message: message))
        #expect(!key.publicKey.verifyRS256(signature: signature, message: Fixtures.bytes("header.payloae")))
        #expect(!Fixtures.otherKey.publicKey.verifyRS256(signature: signature, message: message))
        #expect(!key.publicKey.verifyRS256(signature: Array(signature.dropLast()), message: message))
        #expect(!key.publicKey.verifyRS256(signature: [], message: message))
        #expect(try key.signRS256(message) == signature)
    }

    @Test func pemRoundTripsAsPKCS8() throws {
        let pem = Fixtures.signingKey.pem
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let loaded = try RSAPrivateKey(pem: pem)
        #expect(loaded.publicKey.jwk == Fixtures.signingKey.publicKey.jwk)
        let signature = try loaded.signRS256([1, 2, 3])
        #expect(Fixtures.signingKey.publicKey.verifyRS256(signature: signature, message: [1, 2, 3]))
    }

    @Test func publicKeyRebuiltFromJWKComponentsVerifies() throws {
        let jwk = Fixtures.signingKey.publicKey.jwk(kid: "k1")
        #expect(jwk.kid == "k1" && jwk.alg == "RS256" && jwk.use == "sig" && jwk.kty == "RSA")
        let rebuilt = try RSAPublicKey(jwk: jwk)
        let signature = try Fixtures.signingKey.signRS256([9])
        #expect(rebuilt.verifyRS256(signature: signature, message: [9]))
    }

    @Test func invalidPEMIsRejected() {
        for pem in ["", "hello", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                    String(repeating: "A", count: 100_000)] {
            #expect(throws: RSAKeyError.invalidPEM) { try RSAPrivateKey(pem: pem) }
        }
    }

    @Test func weakOrNonsenseComponentsAreRejected() {
        let modulus2048 = [UInt8](repeating: 0xC5, count: 256)
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(modulus: [UInt8](repeating: 0xC5, count: 128), exponent: [1, 0, 1]) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(modulus: [UInt8](repeating: 0xC5, count: 1100), exponent: [1, 0, 1]) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(modulus: modulus2048, exponent: [2]) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(modulus: modulus2048, exponent: [1]) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(modulus: modulus2048, exponent: []) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(modulus: [], exponent: [1, 0, 1]) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(modulus: modulus2048, exponent: Array(repeating: 1, count: 9)) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(jwk: JWK(kty: "EC", n: "AQAB", e: "AQAB")) }
        #expect(throws: RSAKeyError.invalidComponents) { try RSAPublicKey(jwk: JWK(kty: "RSA", n: "!!", e: "AQAB")) }
    }

    @Test func generateRefusesWeakSizes() {
        #expect(throws: RSAKeyError.generationFailed) { try RSAPrivateKey.generate(bits: 1024) }
    }
}
