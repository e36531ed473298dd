import Testing
@testable import Security

/// DPoP proofs (RFC 9449 §4) checked on their own: keys, signatures, htu comparison, windows.
@Suite struct DPoPProofTests {
    static let uri = "https://server.example.com/token"

    func proof(header: [String: JSONValue], claims: [String: JSONValue], sign: ([UInt8]) throws -> [UInt8]) throws -> String {
        let input = Base64URL.encode(JSONValue.object(header).sortedCompactJSON!) + "." + Base64URL.encode(JSONValue.object(claims).sortedCompactJSON!)
        return input + "." + Base64URL.encode(try sign(Array(input.utf8)))
    }

    @Test func anES256ProofVerifiesAndItsThumbprintIsRFC7638s() throws {
        let key = try P256PrivateKey.generate()
        let jwk: [String: JSONValue] = ["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(key.x)), "y": .string(Base64URL.encode(key.y))]
        let compact = try proof(header: ["typ": "dpop+jwt", "alg": "ES256", "jwk": .object(jwk)],
                                claims: ["jti": "-BwC3ESc6acc2lTc", "htm": "POST", "htu": .string(Self.uri), "iat": 1_562_262_616],
                                sign: { try key.signES256JWS($0) })
        let verified = try DPoPProof.verify(compact, method: "POST", uri: Self.uri, now: 1_562_262_616, maxAge: 300, leeway: 60)
        let canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"\(Base64URL.encode(key.x))\",\"y\":\"\(Base64URL.encode(key.y))\"}"
        #expect(verified.thumbprint == Base64URL.encode(SHA256.hash(canonical)))
        #expect(verified.jti == "-BwC3ESc6acc2lTc")
        #expect(try key.signES256JWS([1, 2, 3]).count == 64)
    }

    @Test func theRSAThumbprintMatchesRFC7638sExample() {
        // RFC 7638 §3.1.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
            + "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO"
            + "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        let jwk: [String: JSONValue] = ["kty": "RSA", "n": .string(n), "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"]
        #expect(DPoPProof.thumbprint(ofJWK: jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test func htuIsComparedWithoutQueryFragmentCaseOrDefaultPort() {
        let same = ["https://server.example.com/token", "https://server.example.com/token?a=b", "https://server.example.com/token#x",
                    "HTTPS://SERVER.example.com/token", "https://server.example.com:443/token"]
        for uri in same { #expect(DPoPProof.normalizedURI(uri) == "https://server.example.com/token", "\(uri)") }
        #expect(DPoPProof.normalizedURI("http://h.example") == "http://h.example/")
        #expect(DPoPProof.normalizedURI("http://h.example:8080/x") == "http://h.example:8080/x")
        for bad in ["/token", "ftp://h/x", "https:///x", "https://user:pw@h/x", "not a uri", ""] {
            #expect(DPoPProof.normalizedURI(bad) == nil, "\(bad)")
        }
        #expect(DPoPProof.normalizedURI("https://server.example.com/Token") != DPoPProof.normalizedURI("https://server.example.com/token"),
                "paths are case-sensitive")
    }

    @Test func anEd25519ProofVerifiesAndASpoiledOneDoesNot() throws {
        let key = try Ed25519PrivateKey.generate()
        let jwk: [String: JSONValue] = ["kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode(key.publicKey))]
        let claims: [String: JSONValue] = ["jti": "j", "htm": "GET", "htu": .string(Self.uri), "iat": 100]
        let good = try proof(header: ["typ": "dpop+jwt", "alg": "EdDSA", "jwk": .object(jwk)], claims: claims, sign: { try key.sign($0) })
        #expect(throws: Never.self) { try DPoPProof.verify(good, method: "GET", uri: Self.uri, now: 100, maxAge: 300, leeway: 60) }
        #expect(throws: DPoPError.wrongMethod) { try DPoPProof.verify(good, method: "POST", uri: Self.uri, now: 100, maxAge: 300, leeway: 60) }
        #expect(throws: DPoPError.wrongURI) { try DPoPProof.verify(good, method: "GET", uri: Self.uri + "2", now: 100, maxAge: 300, leeway: 60) }
        #expect(throws: DPoPError.stale) { try DPoPProof.verify(good, method: "GET", uri: Self.uri, now: 401, maxAge: 300, leeway: 60) }
        #expect(throws: DPoPError.stale) { try DPoPProof.verify(good, method: "GET", uri: Self.uri, now: 39, maxAge: 300, leeway: 60) }
        #expect(throws: DPoPError.missingClaim("ath")) {
            try DPoPProof.verify(good, method: "GET", uri: Self.uri, now: 100, maxAge: 300, leeway: 60, accessToken: "t")
        }
        let wrongAlg = try proof(header: ["typ": "dpop+jwt", "alg": "ES256", "jwk": .object(jwk)], claims: claims, sign: { try key.sign($0) })
        #expect(throws: DPoPError.badKey) { try DPoPProof.verify(wrongAlg, method: "GET", uri: Self.uri, now: 100, maxAge: 300, leeway: 60) }
        let parts = good.split(separator: ".")
        let flipped = parts[0] + "." + parts[1] + "." + Base64URL.encode([UInt8](repeating: 7, count: 64))
        #expect(throws: DPoPError.badSignature) { try DPoPProof.verify(String(flipped), method: "GET", uri: Self.uri, now: 100, maxAge: 300, leeway: 60) }
    }

    @Test func es256SignaturesOfTheWrongShapeAreRefusedNotTrapped() throws {
        #expect(ECDSASignature.der(fromJOSE: []) == nil)
        #expect(ECDSASignature.der(fromJOSE: [UInt8](repeating: 0, count: 63)) == nil)
        #expect(ECDSASignature.jose(fromDER: [0x30, 0x00]) == nil)
        #expect(ECDSASignature.jose(fromDER: [UInt8](repeating: 0xFF, count: 80)) == nil)
        let zeros = try #require(ECDSASignature.der(fromJOSE: [UInt8](repeating: 0, count: 64)))
        #expect(!zeros.isEmpty)
    }
}
