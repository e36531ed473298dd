import Testing
@testable import Security

/// Thousands of random and mutated inputs from a fixed seed: the decoders never trap, and
/// whatever the CBOR decoder accepts re-encodes to exactly the same bytes (it only accepts the
/// one shortest, definite encoding of each value).
@Suite struct CBORFuzzTests {
    /// SplitMix64: a tiny deterministic generator, so a failure replays exactly.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Well-formed seeds to mutate: a COSE key, an attestation object, nested containers, and
    /// (not itself one CBOR item) authenticator data with a key inside.
    static let seeds: [[UInt8]] = {
        let key = COSEKey.encodeP256(x: Array(repeating: 1, count: 32), y: Array(repeating: 2, count: 32))
        let authData = [UInt8](repeating: 7, count: 32) + [0x45, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 16) + [0, 4, 9, 9, 9, 9] + key
        return [
            key,
            CBORValue.map(CBORMap([(.text("fmt"), .text("none")), (.text("attStmt"), .map(CBORMap())),
                                   (.text("authData"), .bytes(authData))])).encoded,
            CBORValue.array([.array([.array([.text("deep"), .null])]), .int(-1_000_000), .bytes([1, 2, 3]), .bool(true)]).encoded,
            Fixtures.hex("a26161016162820203"),
            authData,
        ]
    }()

    @Test func randomAndMutatedInputsNeverTrapAndAcceptedOnesRoundTrip() {
        var random = Generator(state: 0x1A7C_4E11)
        let decoder = CBORDecoder()
        var accepted = 0, refused = 0
        for round in 0..<6000 {
            let input: [UInt8]
            if round % 3 == 0 {
                input = (0..<Int.random(in: 0...48, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                input = mutate(Self.seeds[round % Self.seeds.count], using: &random)
            }
            do {
                let value = try decoder.decode(input)
                #expect(value.encoded == input, "accepted input \(Hex.encode(input)) does not re-encode to itself")
                accepted += 1
            } catch {
                refused += 1
            }
            // The parsers built on the decoder see the same bytes.
            _ = try? COSEKey(encoded: input)
            _ = try? AttestationObject.parse(input)
            _ = try? AuthenticatorData.parse(input)
        }
        #expect(accepted > 100 && refused > 100, "the corpus exercises both outcomes")
    }

    @Test func everyTruncationOfAValidItemIsRefused() {
        let decoder = CBORDecoder()
        for seed in Self.seeds.dropLast() {
            for length in 0..<seed.count {
                #expect(throws: CBORError.self) { try decoder.decode(seed.prefix(length)) }
            }
        }
    }

    func mutate(_ seed: [UInt8], using random: inout Generator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { break }
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 2: bytes.removeSubrange(index...)
            case 3: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
            case 4: bytes.remove(at: index)
            default:
                // A length or count byte pushed to its extremes.
                bytes[index] = [0x5B, 0x7B, 0x9B, 0xBB, 0x1B, 0xFF, 0x9F][Int.random(in: 0..<7, using: &random)]
            }
        }
        return bytes
    }
}
