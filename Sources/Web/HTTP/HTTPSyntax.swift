/// Byte constants and classes from RFC 9110 / RFC 9112, for scanning raw request bytes.
enum HTTPSyntax {
    static let htab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let backslash: UInt8 = 0x5C

    /// `tchar` as two 64-bit masks (bytes 0–63 and 64–127), so a token check is a shift and a test.
    private static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// Whether `byte` may appear in a token (method, field name, coding, extension name).
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        if byte < 64 { return tokenLow >> UInt64(byte) & 1 == 1 }
        if byte < 128 { return tokenHigh >> UInt64(byte &- 64) & 1 == 1 }
        return false
    }

    /// Whether `byte` may appear in a field value: VCHAR, SP, HTAB or obs-text.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 ? byte != 0x7F : byte == htab
    }

    /// Whether `byte` is visible ASCII (0x21–0x7E), the only bytes allowed in a request target.
    @inline(__always)
    static func isVisible(_ byte: UInt8) -> Bool { byte &- 0x21 < 0x5E }

    /// Whether `byte` is optional whitespace (SP or HTAB).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == htab }

    /// The hex value of `byte`, or nil when it is not a hex digit.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte &- 0x30)
        case 0x41...0x46: Int(byte &- 0x41 &+ 10)
        case 0x61...0x66: Int(byte &- 0x61 &+ 10)
        default: nil
        }
    }

    /// Whether `bytes` equals `lowercase` (an ASCII lowercase literal) ignoring ASCII case.
    /// Only safe for letters, digits and `-`, which is all our field names and tokens use.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let literal = lowercase.utf8Start
        for index in 0..<bytes.count where bytes[index] | 0x20 != literal[index] {
            return false
        }
        return true
    }
}
