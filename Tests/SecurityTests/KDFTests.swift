import Testing
@testable import Security

@Suite struct KDFTests {
    @Test func scryptMatchesRFC7914WithEmptyInputs() {
        let key = Scrypt.derive(password: [UInt8](), salt: [], n: 16, r: 1, p: 1, length: 64)
        #expect(key.map(Hex.encode) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
    }

    @Test func scryptMatchesRFC7914WithParallelism() {
        let key = Scrypt.derive(password: Fixtures.bytes("password"), salt: Fixtures.bytes("NaCl"),
                                n: 1024, r: 8, p: 16, length: 64)
        #expect(key.map(Hex.encode) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test func scryptRefusesInvalidOrOversizedParameters() {
        #expect(Scrypt.derive(password: [1], salt: [1], n: 1000, r: 8, p: 1, length: 32) == nil)
        #expect(Scrypt.derive(password: [1], salt: [1], n: 1 << 30, r: 8, p: 1, length: 32) == nil)
        #expect(Scrypt.derive(password: [1], salt: [1], n: 16, r: 0, p: 1, length: 32) == nil)
        #expect(Scrypt.derive(password: [1], salt: [1], n: 16, r: .max, p: .max, length: 32) == nil)
    }

    @Test func pbkdf2SHA256MatchesRFC7914() {
        let key = PBKDF2.sha256(password: Fixtures.bytes("passwd"), salt: Fixtures.bytes("salt"), iterations: 1, length: 64)
        #expect(key.map(Hex.encode) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
            + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test func pbkdf2SHA256MatchesRFC7914WithManyIterations() {
        let key = PBKDF2.sha256(password: Fixtures.bytes("Password"), salt: Fixtures.bytes("NaCl"),
                                iterations: 80000, length: 64)
        #expect(key.map(Hex.encode) == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
            + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")
    }

    @Test func pbkdf2RefusesNonsenseParameters() {
        #expect(PBKDF2.sha256(password: [1], salt: [1], iterations: 0, length: 32) == nil)
        #expect(PBKDF2.sha256(password: [1], salt: [1], iterations: 1, length: 0) == nil)
    }
}
