import Testing
@testable import Security

@Suite struct EncodingTests {
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test func base64MatchesRFC4648Vectors() {
        for (plain, encoded) in Self.rfc4648 {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func base64URLEncodesWithoutPaddingAndDecodesEitherWay() {
        for (plain, padded) in Self.rfc4648 {
            let unpadded = String(padded.prefix { $0 != "=" })
            #expect(Base64URL.encode(Array(plain.utf8)) == unpadded)
            #expect(Base64URL.decode(unpadded) == Array(plain.utf8))
            #expect(Base64URL.decode(padded) == Array(plain.utf8))
        }
    }

    @Test func base64URLUsesTheURLSafeAlphabet() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64URL.encode(bytes) == "-_-_")
        #expect(Base64.encode(bytes) == "+/+/")
        #expect(Base64URL.decode("-_-_") == bytes)
        #expect(Base64URL.decode("+/+/") == nil)
    }

    @Test func base64RejectsBadInput() {
        for bad in ["Zg=", "Z", "Zm9v!", "Zm 9v", "Zm9v\n", "=Zm9", "Zg==Zg==", "Zh", "Zm9=", "é"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func base64RoundTripsEveryByteValue() {
        let bytes = (0...255).map { UInt8($0) }
        for length in 0..<10 {
            let slice = Array(bytes.prefix(length * 29 % 256))
            #expect(Base64URL.decode(Base64URL.encode(slice)) == slice)
            #expect(Base64.decode(Base64.encode(slice)) == slice)
        }
    }

    @Test func hexRoundTripsAndRejectsBadInput() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.encode([]) == "")
    }
}
