@testable import Storage
import Testing

@Suite struct ByteaTests {
    private func decode(_ text: String) -> [UInt8] {
        Array(text.utf8).withUnsafeBufferPointer { Bytea.decode($0) }
    }

    @Test func decodesHexOutput() {
        #expect(decode("\\x00ff10Ab") == [0x00, 0xff, 0x10, 0xab])
        #expect(decode("\\x") == [])
    }

    @Test func decodesLegacyEscapeOutput() {
        #expect(decode("a\\000\\377\\\\z") == [UInt8(ascii: "a"), 0, 255, UInt8(ascii: "\\"), UInt8(ascii: "z")])
    }
}
