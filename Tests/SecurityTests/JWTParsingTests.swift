import Testing
@testable import Security

/// Hostile input: the parser must throw `.malformed`, never trap, whatever it is fed.
@Suite struct JWTParsingTests {
    @Test func garbageIsMalformed() {
        let header = TokenFactory.segment(["alg": "RS256"])
        let claims = TokenFactory.segment(["sub": "x"])
        let cases = [
            "", ".", "..", "...", "a.b.c", "a.b", "a.b.c.d", "\(header).\(claims)", "\(header).\(claims).sig.extra",
            ".\(claims).", "\(header)..", "\(header).\(claims).!!!", "\(header).!!!.", "!!!.\(claims).",
            Base64URL.encode(Array("[]".utf8)) + ".\(claims).", Base64URL.encode(Array("\"s\"".utf8)) + ".\(claims).",
            "\(header)." + Base64URL.encode(Array("[1]".utf8)) + ".", "\(header)." + Base64URL.encode(Array("{".utf8)) + ".",
            TokenFactory.segment(["alg": 5]) + ".\(claims).", TokenFactory.segment(["typ": "JWT"]) + ".\(claims).",
            "\(header)." + Base64URL.encode([0xFF, 0xFE, 0x00]) + ".", "é.é.é", "\u{0}.\u{0}.\u{0}",
        ]
        for token in cases {
            #expect(throws: JWTError.malformed) { try JWT.parse(token) }
        }
    }

    @Test func hugeInputIsRejectedBeforeDecoding() {
        let header = TokenFactory.segment(["alg": "RS256"])
        let padding = String(repeating: "A", count: JWT.maxLength)
        #expect(throws: JWTError.malformed) { try JWT.parse("\(header).\(padding).") }
        #expect(throws: JWTError.malformed) { try JWT.parse(String(repeating: ".", count: 1_000_000)) }
    }

    @Test func deeplyNestedJSONIsMalformedNotAStackOverflow() {
        let header = TokenFactory.segment(["alg": "RS256"])
        let arrays = Base64URL.encode(Array(("{\"a\":" + String(repeating: "[", count: 11_000)).utf8))
        #expect(throws: JWTError.malformed) { try JWT.parse("\(header).\(arrays).") }
        let balanced = "{\"a\":" + String(repeating: "[", count: 6000) + String(repeating: "]", count: 6000) + "}"
        #expect(throws: JWTError.malformed) { try JWT.parse("\(header).\(Base64URL.encode(Array(balanced.utf8))).") }
        let shallow = "{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(throws: Never.self) { try JWT.parse("\(header).\(Base64URL.encode(Array(shallow.utf8))).") }
    }

    @Test func randomMutationsOfAValidTokenNeverTrap() throws {
        let token = Array(try TokenFactory.signed(TokenFactory.claims()).utf8)
        var generator = SplitMix(seed: 0x5EC0)
        let alphabet = Array("AZaz09-_.=+/{}\"\u{0}é".utf8)
        var accepted = 0
        for _ in 0..<1500 {
            var mutated = token
            for _ in 0..<(1 + generator.next() % 4) {
                let index = Int(generator.next() % UInt64(mutated.count))
                switch generator.next() % 3 {
                case 0: mutated[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: mutated.remove(at: index)
                default: mutated.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: index)
                }
            }
            let text = String(decoding: mutated, as: UTF8.self)
            if (try? TokenFactory.verify(text)) != nil { accepted += 1 }
        }
        // A mutation that survives verification could only be one that leaves the token's meaning intact.
        #expect(accepted < 5)
    }

    @Test func randomBytesNeverTrap() {
        var generator = SplitMix(seed: 42)
        for _ in 0..<1000 {
            let count = Int(generator.next() % 300)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let segments = (0..<3).map { _ in Base64URL.encode(bytes.shuffled(using: &generator)) }
            _ = try? JWT.parse(segments.joined(separator: "."))
            _ = try? JWT.parse(String(decoding: bytes, as: UTF8.self))
        }
    }
}

/// A small deterministic generator so fuzz failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
