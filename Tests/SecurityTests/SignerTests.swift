import Testing
@testable import Security

@Suite struct SignerTests {
    let signer = Signer(key: Array(repeating: 7, count: 32))

    @Test func signedValueRoundTrips() {
        for value in ["session-id", "", "a.b.c", "ünïcode", "x=1&y=2"] {
            let signed = signer.sign(value)
            #expect(signed.hasPrefix(value + "."))
            #expect(signer.unsign(signed) == value)
        }
    }

    @Test func signatureIsHMACSHA256OfTheValue() {
        let mac = HMAC.sha256(key: Array(repeating: 7, count: 32), message: Fixtures.bytes("v"))
        #expect(signer.sign("v") == "v." + Base64URL.encode(mac))
    }

    @Test func tamperedValuesAndSignaturesAreRejected() {
        let signed = signer.sign("user=1")
        #expect(signer.unsign(signed.replacingOccurrences(of: "user=1", with: "user=2")) == nil)
        #expect(signer.unsign(String(signed.dropLast())) == nil)
        #expect(signer.unsign(String(signed.dropLast()) + (signed.hasSuffix("A") ? "B" : "A")) == nil)
        #expect(signer.unsign("user=1") == nil)
        #expect(signer.unsign("") == nil)
        #expect(signer.unsign(".") == nil)
        #expect(signer.unsign(signed + ".") == nil)
        #expect(Signer(key: Array(repeating: 8, count: 32)).unsign(signed) == nil)
    }

    @Test func fallbackKeysVerifyButNeverSign() {
        let oldSigned = Signer(key: [1]).sign("v")
        let rotated = Signer(key: [2], fallbacks: [[1]])
        #expect(rotated.unsign(oldSigned) == "v")
        #expect(Signer(key: [1]).unsign(rotated.sign("v")) == nil)
    }

    @Test func keyRingSignersFollowRotation() {
        let old = KeyRing(secret: "old").signer(for: "cookie")
        let rotated = KeyRing(secret: "new", fallbacks: ["old"])
        #expect(rotated.signer(for: "cookie").unsign(old.sign("v")) == "v")
        #expect(rotated.signer(for: "other").unsign(old.sign("v")) == nil)
    }
}
