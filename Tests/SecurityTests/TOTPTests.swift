import Testing
@testable import Security

/// One-time passwords: the RFC test vectors, the ±1 step window, single use, the URI apps read,
/// and base32.
@Suite struct TOTPTests {
    /// The RFC 4226 and RFC 6238 SHA-1 secret, "12345678901234567890".
    static let secret = Fixtures.bytes("12345678901234567890")

    @Test func hmacSHA1MatchesRFC2202() {
        #expect(Hex.encode(HMAC.sha1(key: [UInt8](repeating: 0x0B, count: 20), message: Fixtures.bytes("Hi There")))
            == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Hex.encode(HMAC.sha1(key: Fixtures.bytes("Jefe"), message: Fixtures.bytes("what do ya want for nothing?")))
            == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    /// RFC 4226 Appendix D.
    @Test func hotpMatchesRFC4226() {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        for (counter, code) in expected.enumerated() {
            #expect(TOTP.hotp(secret: Self.secret, counter: UInt64(counter), digits: 6) == code)
        }
    }

    /// RFC 6238 Appendix B, the SHA-1 rows (eight digits).
    @Test func totpMatchesRFC6238() {
        let totp = TOTP(secret: Self.secret, digits: 8)
        let vectors: [(time: Int, code: String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for vector in vectors { #expect(totp.code(at: vector.time) == vector.code) }
        #expect(totp.step(at: 59) == 1 && totp.step(at: 1_111_111_109) == 0x23523EC)
    }

    @Test func acceptsOneStepEitherSideAndNoFurther() {
        let totp = TOTP(secret: Self.secret)
        let now = 1_800_000_015, step = totp.step(at: now)
        #expect(totp.match(totp.code(step: step), at: now, lastUsedStep: nil) == .valid(step: step))
        #expect(totp.match(totp.code(step: step - 1), at: now, lastUsedStep: nil) == .valid(step: step - 1))
        #expect(totp.match(totp.code(step: step + 1), at: now, lastUsedStep: nil) == .valid(step: step + 1))
        #expect(totp.match(totp.code(step: step - 2), at: now, lastUsedStep: nil) == .invalid)
        #expect(totp.match(totp.code(step: step + 2), at: now, lastUsedStep: nil) == .invalid)
        let spaced = totp.code(step: step).prefix(3) + " " + totp.code(step: step).suffix(3)
        #expect(totp.match(String(spaced), at: now, lastUsedStep: nil) == .valid(step: step))
        for typed in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            #expect(totp.match(typed, at: now, lastUsedStep: nil) == .invalid)
        }
    }

    @Test func refusesAStepAtOrBeforeTheLastUsedOne() {
        let totp = TOTP(secret: Self.secret)
        let now = 1_800_000_015, step = totp.step(at: now)
        #expect(totp.match(totp.code(step: step), at: now, lastUsedStep: step) == .alreadyUsed)
        #expect(totp.match(totp.code(step: step - 1), at: now, lastUsedStep: step) == .alreadyUsed)
        #expect(totp.match(totp.code(step: step + 1), at: now, lastUsedStep: step) == .valid(step: step + 1))
    }

    @Test func provisioningURIIsWhatAuthenticatorAppsRead() {
        let totp = TOTP(secret: Fixtures.hex("48656c6c6f21deadbeef"))
        let uri = totp.provisioningURI(issuer: "Latchkey ID", account: "ada@example.org")
        #expect(uri == "otpauth://totp/Latchkey%20ID:ada%40example.org?secret=JBSWY3DPEHPK3PXP&issuer=Latchkey%20ID"
            + "&algorithm=SHA1&digits=6&period=30")
        #expect(TOTP.generateSecret().count == 20)
        #expect(TOTP.percentEncode("a:b&c=d?é") == "a%3Ab%26c%3Dd%3F%C3%A9")
    }

    /// RFC 4648 §10, without padding.
    @Test func base32MatchesRFC4648() {
        let vectors = ["": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI"]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Fixtures.bytes(plain)) == encoded)
            #expect(Base32.decode(encoded) == Fixtures.bytes(plain))
        }
        #expect(Base32.decode("mzxw 6ytb oi") == Fixtures.bytes("foobar"))
        #expect(Base32.decode("MZXW6YQ=") == Fixtures.bytes("foob"))
        #expect(Base32.decode("MZXW1") == nil)
        #expect(Base32.decode("M") == nil)
        #expect(Base32.decode("MZX") == nil)
    }
}
