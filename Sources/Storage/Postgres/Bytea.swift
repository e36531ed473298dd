/// `bytea` text output: hex (`\x00ff`, the default since PostgreSQL 9.0) or the legacy escape
/// format (`\000\377`, with `\\` for a backslash).
enum Bytea {
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") {
            return hex(text.dropFirst(2))
        }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == UInt8(ascii: "\\") {
                if index + 1 < text.endIndex, text[index + 1] == UInt8(ascii: "\\") {
                    bytes.append(UInt8(ascii: "\\"))
                    index += 2
                } else if index + 3 < text.endIndex {
                    let octal = text[(index + 1)...(index + 3)].reduce(0) { $0 * 8 + Int($1) - 48 }
                    bytes.append(UInt8(truncatingIfNeeded: octal))
                    index += 4
                } else {
                    index = text.endIndex
                }
            } else {
                bytes.append(text[index])
                index += 1
            }
        }
        return bytes
    }

    private static func hex(_ digits: Slice<UnsafeBufferPointer<UInt8>>) -> [UInt8] {
        func nibble(_ digit: UInt8) -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: digit &- UInt8(ascii: "A") &+ 10
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index + 1 < digits.endIndex {
            bytes.append(nibble(digits[index]) << 4 | nibble(digits[index + 1]))
            index += 2
        }
        return bytes
    }
}
