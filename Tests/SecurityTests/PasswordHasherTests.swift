import Testing
@testable import Security

@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher.fastForTests

    @Test func hashIsVersionedAndVerifies() {
        let stored = hasher.hash("correct horse")
        #expect(stored.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(hasher.verify("correct horse", against: stored) == .valid)
        #expect(hasher.verify("correct horse!", against: stored) == .invalid)
        #expect(hasher.verify("", against: stored) == .invalid)
    }

    @Test func samePasswordGetsDifferentSalts() {
        #expect(hasher.hash("same") != hasher.hash("same"))
    }

    @Test func unicodeAndEmptyPasswordsRoundTrip() {
        for password in ["", "pässwörd 🔑", String(repeating: "x", count: 5000)] {
            #expect(hasher.verify(password, against: hasher.hash(password)) == .valid)
        }
    }

    @Test func olderScryptParametersAskForRehash() {
        let old = PasswordHasher(logN: 11).hash("pw")
        #expect(hasher.verify("pw", against: old) == .validButNeedsRehash)
        #expect(hasher.verify("nope", against: old) == .invalid)
    }

    @Test func pbkdf2HashesVerifyAndAskForRehash() throws {
        let salt = Fixtures.bytes("saltsaltsaltsalt")
        let key = try #require(PBKDF2.sha256(password: Fixtures.bytes("pw"), salt: salt, iterations: 1000, length: 32))
        let stored = "$pbkdf2-sha256$i=1000$\(Base64.encode(salt, padding: false))$\(Base64.encode(key, padding: false))"
        #expect(hasher.verify("pw", against: stored) == .validButNeedsRehash)
        #expect(hasher.verify("pw2", against: stored) == .invalid)
    }

    @Test func storedStringsWithURLSafeOrPaddedBase64AreRead() throws {
        let salt: [UInt8] = Array(repeating: 0xFB, count: 16)
        let key = try #require(Scrypt.derive(password: Fixtures.bytes("pw"), salt: salt, n: 1024, r: 8, p: 1, length: 32))
        let urlSafe = "$scrypt$ln=10,r=8,p=1$\(Base64URL.encode(salt))$\(Base64URL.encode(key))"
        let padded = "$scrypt$ln=10,r=8,p=1$\(Base64.encode(salt))$\(Base64.encode(key))"
        #expect(hasher.verify("pw", against: urlSafe) == .valid)
        #expect(hasher.verify("pw", against: padded) == .valid)
    }

    @Test func malformedStoredStringsAreInvalidNeverACrash() {
        let good = hasher.hash("pw")
        let salt = "AAAAAAAAAAAAAAAAAAAAAA"
        let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        let cases = [
            "", "$", "$$$$", "pw", "$scrypt$", "$scrypt$ln=10,r=8,p=1$", "$scrypt$ln=10,r=8,p=1$\(salt)$",
            "$scrypt$ln=10,r=8$\(salt)$\(key)", "$scrypt$ln=10,r=8,p=1,x=1$\(salt)$\(key)",
            "$scrypt$ln=10,ln=10,r=8$\(salt)$\(key)", "$scrypt$ln=+10,r=8,p=1$\(salt)$\(key)",
            "$scrypt$ln=-1,r=8,p=1$\(salt)$\(key)", "$scrypt$ln=99,r=8,p=1$\(salt)$\(key)",
            "$scrypt$ln=20,r=64,p=64$\(salt)$\(key)", "$scrypt$ln=10,r=99999999999,p=1$\(salt)$\(key)",
            "$scrypt$ln=10,r=8,p=1$!!!!$\(key)", "$scrypt$ln=10,r=8,p=1$\(salt)$AA", "$scrypt$ln=,r=8,p=1$\(salt)$\(key)",
            "$pbkdf2-sha256$i=0$\(salt)$\(key)", "$pbkdf2-sha256$i=999999999$\(salt)$\(key)",
            "$pbkdf2-sha256$\(salt)$\(key)", "$md5$i=1$\(salt)$\(key)", "scrypt$ln=10,r=8,p=1$\(salt)$\(key)",
            good + "$", good + "x", "$" + good, String(good.dropLast(30)), String(repeating: "$", count: 10_000),
            good.replacingOccurrences(of: "ln=10", with: "ln=10\u{0}"),
        ]
        for stored in cases {
            #expect(hasher.verify("pw", against: stored) == .invalid, "\(stored.prefix(80))")
        }
    }

    @Test func verifyDummyCompletesForAnyPassword() {
        hasher.verifyDummy("whatever")
        hasher.verifyDummy("")
    }

    @Test func productionParametersFitOpenSSLsMemoryLimit() {
        // N=2^15, r=8 needs just over the 32 MiB OpenSSL allows by default; the hasher must raise it.
        let stored = PasswordHasher.standard.hash("pw")
        #expect(stored.hasPrefix("$scrypt$ln=15,r=8,p=1$"))
        #expect(PasswordHasher.standard.verify("pw", against: stored) == .valid)
        #expect(hasher.verify("pw", against: stored) == .validButNeedsRehash)
    }
}
