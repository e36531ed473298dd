import Testing
@testable import Security

@Suite struct KeyRingTests {
    let ring = KeyRing(secret: "primary secret")

    @Test func sealThenOpenRoundTrips() throws {
        let plaintext = Fixtures.bytes("gho_provider_access_token")
        let token = ring.seal(plaintext, purpose: "social-token")
        #expect(token.hasPrefix("v1.\(ring.keyID)."))
        #expect(try ring.open(token, purpose: "social-token") == plaintext)
        #expect(try ring.openString(ring.seal("text", purpose: "p"), purpose: "p") == "text")
        #expect(try ring.open(ring.seal([], purpose: "p"), purpose: "p") == [])
    }

    @Test func everySealUsesAFreshNonce() {
        #expect(ring.seal([1, 2, 3], purpose: "p") != ring.seal([1, 2, 3], purpose: "p"))
    }

    @Test func flippedByteFailsAuthentication() throws {
        let token = ring.seal(Fixtures.bytes("secret"), purpose: "p")
        let parts = token.split(separator: ".").map(String.init)
        var payload = try #require(Base64URL.decode(parts[2]))
        for index in [0, 12, payload.count - 1] {
            var tampered = payload
            tampered[index] ^= 0x01
            let forged = "\(parts[0]).\(parts[1]).\(Base64URL.encode(tampered))"
            #expect(throws: CryptoError.authenticationFailed) { try ring.open(forged, purpose: "p") }
        }
        payload.removeLast()
        let truncated = "\(parts[0]).\(parts[1]).\(Base64URL.encode(payload))"
        #expect(throws: CryptoError.authenticationFailed) { try ring.open(truncated, purpose: "p") }
    }

    @Test func purposeAndAssociatedDataAreBound() {
        let token = ring.seal([1], purpose: "a", associatedData: [9])
        #expect(throws: CryptoError.authenticationFailed) { try ring.open(token, purpose: "b", associatedData: [9]) }
        #expect(throws: CryptoError.authenticationFailed) { try ring.open(token, purpose: "a", associatedData: [8]) }
        #expect(throws: CryptoError.authenticationFailed) { try ring.open(token, purpose: "a") }
    }

    @Test func tokenFromAnotherSecretIsAnUnknownKey() {
        let token = KeyRing(secret: "someone else").seal([1], purpose: "p")
        #expect(throws: CryptoError.unknownKey) { try ring.open(token, purpose: "p") }
    }

    @Test func malformedTokensAreRejected() {
        let good = ring.seal([1], purpose: "p")
        let cases = ["", "v1", "v1..", "v2.\(ring.keyID).AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                     "v1.\(ring.keyID).AAAA", "v1.\(ring.keyID).!!!!", "v1.short.AAAA", good + ".x",
                     String(repeating: "v1.", count: 100_000)]
        for token in cases {
            #expect(throws: CryptoError.malformed) { try ring.open(token, purpose: "p") }
        }
    }

    @Test func fallbackSecretOpensOldTokensAndFlagsThemForResealing() throws {
        let old = KeyRing(secret: "old secret")
        let rotated = KeyRing(secret: "new secret", fallbacks: ["old secret"])
        let oldToken = old.seal(Fixtures.bytes("data"), purpose: "p")
        #expect(try rotated.open(oldToken, purpose: "p") == Fixtures.bytes("data"))
        #expect(rotated.needsReseal(oldToken))
        let fresh = rotated.seal(Fixtures.bytes("data"), purpose: "p")
        #expect(!rotated.needsReseal(fresh))
        #expect(rotated.keyID != old.keyID)
        #expect(!rotated.needsReseal("garbage"))
        #expect(!rotated.needsReseal(KeyRing(secret: "stranger").seal([1], purpose: "p")))
        #expect(throws: CryptoError.unknownKey) { try old.open(fresh, purpose: "p") }
    }

    @Test func subkeysAreDeterministicAndSeparatedByPurposeAndSecret() {
        #expect(ring.key(for: "a").count == 32)
        #expect(ring.key(for: "a") == KeyRing(secret: "primary secret").key(for: "a"))
        #expect(ring.key(for: "a") != ring.key(for: "b"))
        #expect(ring.key(for: "a") != KeyRing(secret: "other").key(for: "a"))
        #expect(ring.keyID.count == 8 && Hex.decode(ring.keyID) != nil)
    }
}
