import Foundation
import Testing
@testable import Security

@Suite struct JWTTests {
    @Test func signedTokenVerifiesAndExposesClaims() throws {
        let token = try TokenFactory.signed(TokenFactory.claims(["email_verified": true, "aud": ["x", "client-123"]]))
        let claims = try TokenFactory.verify(token)
        #expect(claims.string("sub") == "user-1")
        #expect(claims.int("exp") == TokenFactory.now + 3600)
        #expect(claims.bool("email_verified") == true)
        #expect(claims.audience == ["x", "client-123"])
        let jwt = try JWT.parse(token)
        #expect(jwt.algorithm == "RS256" && jwt.keyID == "main" && jwt.header.string("typ") == "JWT")
    }

    @Test func encodableClaimsCanBeSigned() throws {
        struct IDToken: Encodable {
            let iss: String, aud: String, sub: String, exp: Int, nonce: String
        }
        let token = try JWT.sign(claims: IDToken(iss: TokenFactory.issuer, aud: TokenFactory.audience, sub: "42",
                                                 exp: TokenFactory.now + 60, nonce: "n-0S6_WzA2Mj"),
                                 key: Fixtures.signingKey, kid: "main")
        #expect(try TokenFactory.verify(token).string("sub") == "42")
        #expect(!token.contains("\\/"))
    }

    @Test func missingKidUsesTheOnlyKeyInTheSet() throws {
        let token = try TokenFactory.raw(header: ["alg": "RS256"], claims: TokenFactory.claims())
        let single = JWKSet(keys: [Fixtures.signingKey.publicKey.jwk])
        #expect(throws: Never.self) { try TokenFactory.verify(token, keys: single) }
        #expect(throws: JWTError.unknownKey) { try TokenFactory.verify(token) }
    }

    @Test func signatureFromAnotherKeyIsRejected() throws {
        let forged = try TokenFactory.signed(TokenFactory.claims(), kid: "main", key: Fixtures.otherKey)
        #expect(throws: JWTError.badSignature) { try TokenFactory.verify(forged) }
    }

    @Test func tamperedPayloadIsRejected() throws {
        let token = try TokenFactory.signed(TokenFactory.claims())
        let parts = token.split(separator: ".").map(String.init)
        let swapped = parts[0] + "." + TokenFactory.segment(TokenFactory.claims(["sub": "admin"])) + "." + parts[2]
        #expect(throws: JWTError.badSignature) { try TokenFactory.verify(swapped) }
        var signature = try #require(Base64URL.decode(parts[2]))
        signature[10] ^= 0x80
        let flipped = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
        #expect(throws: JWTError.badSignature) { try TokenFactory.verify(flipped) }
    }

    @Test func unknownKidIsRejected() throws {
        let token = try TokenFactory.signed(TokenFactory.claims(), kid: "rotated-away")
        #expect(throws: JWTError.unknownKey) { try TokenFactory.verify(token) }
        let ecOnly = JWKSet(keys: [JWK(kty: "EC", kid: "main")])
        #expect(throws: JWTError.unknownKey) { try TokenFactory.verify(try TokenFactory.signed(TokenFactory.claims()), keys: ecOnly) }
    }

    @Test func algorithmsOtherThanRS256AreRejected() throws {
        let claims = TokenFactory.segment(TokenFactory.claims())
        let none = TokenFactory.segment(["alg": "none"]) + "." + claims + "."
        #expect(throws: JWTError.unsupportedAlgorithm) { try TokenFactory.verify(none) }
        let noneUpper = TokenFactory.segment(["alg": "None", "kid": "main"]) + "." + claims + "."
        #expect(throws: JWTError.unsupportedAlgorithm) { try TokenFactory.verify(noneUpper) }
        // The classic confusion: HMAC keyed with the public key's bytes.
        let hsInput = TokenFactory.segment(["alg": "HS256", "kid": "main"]) + "." + claims
        let hmacKey = Array((Fixtures.signingKey.publicKey.jwk.n ?? "").utf8)
        let hs256 = hsInput + "." + Base64URL.encode(HMAC.sha256(key: hmacKey, message: Array(hsInput.utf8)))
        #expect(throws: JWTError.unsupportedAlgorithm) { try TokenFactory.verify(hs256) }
        for alg in ["PS256", "RS512", "ES256", "rs256"] {
            let token = try TokenFactory.raw(header: ["alg": .string(alg), "kid": "main"], claims: TokenFactory.claims())
            #expect(throws: JWTError.unsupportedAlgorithm) { try TokenFactory.verify(token) }
        }
    }

    @Test func wrongIssuerIsRejected() throws {
        let wrong = try TokenFactory.signed(TokenFactory.claims(["iss": "https://evil.example"]))
        #expect(throws: JWTError.wrongIssuer) { try TokenFactory.verify(wrong) }
        let missing = try TokenFactory.signed(TokenFactory.claims(["iss": nil]))
        #expect(throws: JWTError.wrongIssuer) { try TokenFactory.verify(missing) }
    }

    @Test func wrongAudienceIsRejected() throws {
        for aud: JSONValue? in ["someone-else", ["a", "b"], nil, 42, []] {
            let token = try TokenFactory.signed(TokenFactory.claims(["aud": aud]))
            #expect(throws: JWTError.wrongAudience) { try TokenFactory.verify(token) }
        }
        let otherParty = try TokenFactory.signed(TokenFactory.claims(["aud": ["client-123", "x"], "azp": "x"]))
        #expect(throws: JWTError.wrongAudience) { try TokenFactory.verify(otherParty) }
    }

    @Test func expiryIsEnforcedWithLeeway() throws {
        let expired = try TokenFactory.signed(TokenFactory.claims(["exp": .int(TokenFactory.now - 61)]))
        #expect(throws: JWTError.expired) { try TokenFactory.verify(expired) }
        let withinLeeway = try TokenFactory.signed(TokenFactory.claims(["exp": .int(TokenFactory.now - 30)]))
        #expect(throws: Never.self) { try TokenFactory.verify(withinLeeway) }
        let missing = try TokenFactory.signed(TokenFactory.claims(["exp": nil]))
        #expect(throws: JWTError.missingClaim("exp")) { try TokenFactory.verify(missing) }
        let textual = try TokenFactory.signed(TokenFactory.claims(["exp": "tomorrow"]))
        #expect(throws: JWTError.malformed) { try TokenFactory.verify(textual) }
        let huge = try TokenFactory.signed(TokenFactory.claims(["exp": .double(1e300), "iat": .int(Int.min)]))
        #expect(throws: JWTError.malformed) { try TokenFactory.verify(huge) }
        let extreme = try TokenFactory.signed(TokenFactory.claims(["exp": .int(Int.max), "iat": .int(Int.min)]))
        #expect(throws: Never.self) { try TokenFactory.verify(extreme) }
    }

    @Test func futureTokensAreNotYetValid() throws {
        let notBefore = try TokenFactory.signed(TokenFactory.claims(["nbf": .int(TokenFactory.now + 120)]))
        #expect(throws: JWTError.notYetValid) { try TokenFactory.verify(notBefore) }
        let issuedLater = try TokenFactory.signed(TokenFactory.claims(["iat": .int(TokenFactory.now + 3000)]))
        #expect(throws: JWTError.notYetValid) { try TokenFactory.verify(issuedLater) }
        let slightSkew = try TokenFactory.signed(TokenFactory.claims(["iat": .int(TokenFactory.now + 30)]))
        #expect(throws: Never.self) { try TokenFactory.verify(slightSkew) }
    }

    @Test func nonceMustMatchWhenGiven() throws {
        let token = try TokenFactory.signed(TokenFactory.claims())
        #expect(throws: JWTError.nonceMismatch) { try TokenFactory.verify(token, nonce: "other") }
        #expect(throws: Never.self) { try TokenFactory.verify(token, nonce: nil) }
        let missing = try TokenFactory.signed(TokenFactory.claims(["nonce": nil]))
        #expect(throws: JWTError.nonceMismatch) { try TokenFactory.verify(missing) }
    }

    @Test func criticalHeaderExtensionsAreRefused() throws {
        let token = try TokenFactory.raw(header: ["alg": "RS256", "kid": "main", "crit": ["exp"]], claims: TokenFactory.claims())
        #expect(throws: JWTError.malformed) { try TokenFactory.verify(token) }
    }

    @Test func jwkSetDecodesProviderDocumentsWithForeignKeys() throws {
        let json = """
        {"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        {"kty":"RSA","kid":"main","use":"sig","alg":"RS256","n":"\(Fixtures.signingKey.publicKey.jwk.n ?? "")","e":"AQAB","x5c":["abc"]}]}
        """
        let set = try JSONDecoder().decode(JWKSet.self, from: Data(json.utf8))
        #expect(set.keys.count == 2)
        #expect(throws: Never.self) { try TokenFactory.verify(try TokenFactory.signed(TokenFactory.claims()), keys: set) }
    }
}
