import Testing
@testable import Security

@Suite struct HMACTests {
    /// RFC 4231 §4: (key, data, HMAC-SHA-256).
    static let rfc4231: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0B, count: 20), Fixtures.bytes("Hi There"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Fixtures.bytes("Jefe"), Fixtures.bytes("what do ya want for nothing?"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ((1...25).map { UInt8($0) }, [UInt8](repeating: 0xCD, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xAA, count: 131), Fixtures.bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xAA, count: 131),
         Fixtures.bytes("This is a test using a larger than block-size key and a larger than block-size data."
             + " The key needs to be hashed before being used by the HMAC algorithm."),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test func hmacSHA256MatchesRFC4231() {
        for vector in Self.rfc4231 {
            #expect(Hex.encode(HMAC.sha256(key: vector.key, message: vector.data)) == vector.mac)
        }
    }

    @Test func hmacSHA256TruncatedCaseMatchesRFC4231() {
        let mac = HMAC.sha256(key: [UInt8](repeating: 0x0C, count: 20), message: Fixtures.bytes("Test With Truncation"))
        #expect(Hex.encode(mac.prefix(16)) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func hmacAcceptsEmptyKeyAndMessage() {
        // Published value for HMAC-SHA256("", "").
        #expect(Hex.encode(HMAC.sha256(key: [], message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func hkdfMatchesRFC5869Case1() {
        let okm = HKDF.sha256(ikm: [UInt8](repeating: 0x0B, count: 22), salt: Fixtures.hex("000102030405060708090a0b0c"),
                              info: Fixtures.hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(Hex.encode(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test func hkdfMatchesRFC5869Case3WithEmptySaltAndInfo() {
        let okm = HKDF.sha256(ikm: [UInt8](repeating: 0x0B, count: 22), salt: [], info: [], length: 42)
        #expect(Hex.encode(okm) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }
}
