import Testing
@testable import Security

/// The strict CBOR decoder: what WebAuthn needs decodes, and every malformed or hostile input
/// is a named error, never a trap.
@Suite struct CBORTests {
    let decoder = CBORDecoder()

    func decode(_ hex: String) throws(CBORError) -> CBORValue {
        try decoder.decode(Fixtures.hex(hex))
    }

    /// RFC 8949 Appendix A, the examples within our subset.
    @Test func decodesTheRFC8949Examples() throws {
        #expect(try decode("00") == .unsigned(0))
        #expect(try decode("17") == .unsigned(23))
        #expect(try decode("1818") == .unsigned(24))
        #expect(try decode("1903e8") == .unsigned(1000))
        #expect(try decode("1a000f4240") == .unsigned(1_000_000))
        #expect(try decode("1b000000e8d4a51000") == .unsigned(1_000_000_000_000))
        #expect(try decode("1bffffffffffffffff") == .unsigned(UInt64.max))
        #expect(try decode("3bffffffffffffffff") == .negative(UInt64.max), "-18446744073709551616")
        #expect(try decode("20").int64Value == -1)
        #expect(try decode("3903e7").int64Value == -1000)
        #expect(try decode("f4") == .bool(false))
        #expect(try decode("f5") == .bool(true))
        #expect(try decode("f6") == .null)
        #expect(try decode("40") == .bytes([]))
        #expect(try decode("4401020304") == .bytes([1, 2, 3, 4]))
        #expect(try decode("60") == .text(""))
        #expect(try decode("6449455446") == .text("IETF"))
        #expect(try decode("62c3bc") == .text("ü"))
        #expect(try decode("64f0908591") == .text("𐅑"))
        #expect(try decode("80") == .array([]))
        #expect(try decode("8301820203820405") == .array([.unsigned(1), .array([.unsigned(2), .unsigned(3)]), .array([.unsigned(4), .unsigned(5)])]))
        let map = try #require(try decode("a201020304").mapValue)
        #expect(map[1] == .unsigned(2) && map[3] == .unsigned(4))
        let nested = try #require(try decode("a26161016162820203").mapValue)
        #expect(nested["a"] == .unsigned(1) && nested["b"] == .array([.unsigned(2), .unsigned(3)]))
    }

    @Test func encodingRoundTripsInShortestForm() throws {
        let value = CBORValue.map(CBORMap([
            (.int(1), .int(2)), (.int(3), .int(-7)), (.int(-1), .int(1)),
            (.int(-2), .bytes(Array(repeating: 0xAB, count: 32))), (.text("fmt"), .text("none")),
            (.text("list"), .array([.bool(true), .null, .unsigned(UInt64(UInt32.max) + 1), .negative(300)])),
        ]))
        let encoded = value.encoded
        #expect(try decoder.decode(encoded) == value)
        #expect(CBORValue.unsigned(24).encoded == [0x18, 0x18])
        #expect(CBORValue.int(-257).encoded == [0x39, 0x01, 0x00])
        #expect(CBORValue.bytes(Array(repeating: 0, count: 256)).encoded.prefix(3) == [0x59, 0x01, 0x00])
    }

    @Test func refusesTruncatedInput() {
        #expect(throws: CBORError.truncated(at: 0)) { try decoder.decode([UInt8]()) }
        #expect(throws: CBORError.truncated(at: 0)) { try decode("19") }
        #expect(throws: CBORError.truncated(at: 0)) { try decode("1b0000") }
        #expect(throws: CBORError.lengthExceedsInput(at: 0)) { try decode("44010203") }
        #expect(throws: CBORError.truncated(at: 5)) { try decode("8301820203") }
        #expect(throws: CBORError.truncated(at: 5)) { try decode("a201026161") }
    }

    @Test func refusesHugeDeclaredLengthsWithoutAllocating() {
        // A byte string, a text string, an array and a map claiming 2^63 (or 2^64 − 1) entries.
        #expect(throws: CBORError.lengthExceedsInput(at: 0)) { try decode("5b8000000000000000") }
        #expect(throws: CBORError.lengthExceedsInput(at: 0)) { try decode("7bffffffffffffffff") }
        #expect(throws: CBORError.lengthExceedsInput(at: 0)) { try decode("9b8000000000000000") }
        #expect(throws: CBORError.lengthExceedsInput(at: 0)) { try decode("bbffffffffffffffff") }
        #expect(throws: CBORError.lengthExceedsInput(at: 0)) { try decode("5a00010000" + "00") }
        // A map of two pairs needs four bytes; three are left.
        #expect(throws: CBORError.lengthExceedsInput(at: 0)) { try decode("a2010203") }
    }

    @Test func refusesNestingBeyondTheLimit() throws {
        let sixteen = [UInt8](repeating: 0x81, count: 15) + [0x80]
        #expect(throws: Never.self) { try decoder.decode(sixteen) }
        let seventeen = [UInt8](repeating: 0x81, count: 16) + [0x80]
        #expect(throws: CBORError.tooDeep(at: 16)) { try decoder.decode(seventeen) }
        let deepMaps = Array([[UInt8]](repeating: [0xA1, 0x01], count: 40).joined()) + [0x00]
        #expect(throws: CBORError.tooDeep(at: 32)) { try decoder.decode(deepMaps) }
        // Far deeper than any stack would survive unbounded.
        let hostile = [UInt8](repeating: 0x81, count: 60_000) + [0x00]
        #expect(throws: CBORError.tooDeep(at: 16)) { try decoder.decode(hostile) }
    }

    @Test func refusesTooManyItemsAndTooLongInput() {
        let small = CBORDecoder(limits: .init(maxInputLength: 100, maxDepth: 4, maxItems: 10))
        #expect(throws: CBORError.tooManyItems(at: 10)) { try small.decode([0x8A] + [UInt8](repeating: 0x00, count: 10)) }
        #expect(throws: CBORError.inputTooLong(length: 101)) { try small.decode([UInt8](repeating: 0x00, count: 101)) }
        #expect(throws: CBORError.inputTooLong(length: 65_537)) { try decoder.decode([UInt8](repeating: 0x00, count: 65_537)) }
    }

    @Test func refusesWhatWebAuthnNeverCarries() {
        #expect(throws: CBORError.indefiniteLength(at: 0)) { try decode("5f42010243030405ff") }
        #expect(throws: CBORError.indefiniteLength(at: 0)) { try decode("9f018202039f0405ffff") }
        #expect(throws: CBORError.indefiniteLength(at: 0)) { try decode("bf6346756ef563416d7421ff") }
        #expect(throws: CBORError.indefiniteLength(at: 0)) { try decode("ff") }
        #expect(throws: CBORError.tagNotAllowed(at: 0)) { try decode("c11a514b67b0") }
        #expect(throws: CBORError.unsupportedSimpleValue(at: 0)) { try decode("f7") }
        #expect(throws: CBORError.unsupportedSimpleValue(at: 0)) { try decode("f93c00") }
        #expect(throws: CBORError.unsupportedSimpleValue(at: 0)) { try decode("fb3ff199999999999a") }
        #expect(throws: CBORError.unsupportedSimpleValue(at: 0)) { try decode("f820") }
        #expect(throws: CBORError.reservedAdditionalInfo(at: 0)) { try decode("1c") }
        #expect(throws: CBORError.reservedAdditionalInfo(at: 0)) { try decode("fe") }
    }

    @Test func refusesNonShortestIntegersAndLengths() {
        #expect(throws: CBORError.nonMinimalEncoding(at: 0)) { try decode("1817") }
        #expect(throws: CBORError.nonMinimalEncoding(at: 0)) { try decode("1900ff") }
        #expect(throws: CBORError.nonMinimalEncoding(at: 0)) { try decode("1a0000ffff") }
        #expect(throws: CBORError.nonMinimalEncoding(at: 0)) { try decode("1b00000000ffffffff") }
        #expect(throws: CBORError.nonMinimalEncoding(at: 0)) { try decode("580101") }
        #expect(throws: CBORError.nonMinimalEncoding(at: 1)) { try decode("a1380001") }
    }

    @Test func refusesBadTextDuplicateKeysAndOddKeys() {
        #expect(throws: CBORError.invalidUTF8(at: 0)) { try decode("62c328") }
        #expect(throws: CBORError.invalidUTF8(at: 0)) { try decode("63eda080") }
        #expect(throws: CBORError.duplicateMapKey(at: 3)) { try decode("a201020103") }
        #expect(throws: CBORError.duplicateMapKey(at: 4)) { try decode("a2616101616102") }
        #expect(throws: CBORError.unsupportedMapKey(at: 1)) { try decode("a14101f5") }
        #expect(throws: CBORError.unsupportedMapKey(at: 1)) { try decode("a18001") }
        #expect(throws: CBORError.unsupportedMapKey(at: 1)) { try decode("a11bffffffffffffffff01") }
    }

    @Test func decodePrefixReportsWhereTheItemEnds() throws {
        let (value, length) = try decoder.decodePrefix(Fixtures.hex("a1010203040506"))
        #expect(value.mapValue?[1] == .unsigned(2))
        #expect(length == 3)
        #expect(throws: CBORError.trailingBytes(at: 3)) { try decode("a1010203") }
    }
}
