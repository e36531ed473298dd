// Writing values into the output buffer without intermediate strings.

extension Renderer {
    /// Writes a value for `{{name}}` (escaped) or `{{{name}}}` (raw).
    mutating func interpolate(_ value: consuming MustacheValue, escaped: Bool) {
        switch consume value {
        case .string(let text):
            // Reading the bytes in place; `withUTF8` needs a mutable copy of the string.
            let written: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
                if escaped { appendEscaped(bytes) } else { output.append(bytes) }
            }
            if written == nil {
                var contiguous = text
                contiguous.withUTF8 { bytes in
                    if escaped { appendEscaped(bytes) } else { output.append(bytes) }
                }
            }
        case .int(let number):
            appendDecimal(number)
        case .double(let number):
            // Digits, sign, `.`, `e`, `inf` or `nan`: nothing that needs escaping.
            output.append(number.description)
        case .bool(let flag):
            output.append(flag ? "true" : "false")
        case .null, .list, .objectList, .object:
            break
        }
    }

    /// HTML-escapes `&`, `<`, `>`, `"` and `'` straight into the output.
    private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        // An entity is at most six bytes, so this much room makes the loop free of checks.
        output.reserve(bytes.count * 6)
        var cursor = output.end
        // Leading words without any of the five characters are copied whole (for most URLs and
        // names that is all of them); from the first word that has one, byte by byte.
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = UnsafeRawPointer(source + offset).loadUnaligned(as: UInt64.self)
            guard !Self.containsEscapable(word) else { break }
            UnsafeMutableRawPointer(cursor).storeBytes(of: word, as: UInt64.self)
            cursor += 8
            offset += 8
        }
        for byte in UnsafeBufferPointer(start: source + offset, count: bytes.count - offset) {
            cursor = Self.escape(byte, at: cursor)
        }
        output.commit(upTo: cursor)
    }

    @inline(__always)
    private static func escape(
        _ byte: UInt8, at cursor: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        // Bit n is set when byte n needs escaping: `"` 34, `&` 38, `'` 39, `<` 60, `>` 62.
        let escapedBelow64: UInt64 = 1 << 34 | 1 << 38 | 1 << 39 | 1 << 60 | 1 << 62
        guard byte < 64 && escapedBelow64 & (1 << UInt64(byte)) != 0 else {
            cursor.pointee = byte
            return cursor + 1
        }
        switch byte {
        case UInt8(ascii: "&"): return write("&amp;", at: cursor)
        case UInt8(ascii: "<"): return write("&lt;", at: cursor)
        case UInt8(ascii: ">"): return write("&gt;", at: cursor)
        case UInt8(ascii: "\""): return write("&quot;", at: cursor)
        default: return write("&#39;", at: cursor)
        }
    }

    /// Whether any byte of `word` is `&`, `<`, `>`, `"` or `'` (the classic "has zero byte" test
    /// applied to the word XORed with each character repeated).
    @inline(__always)
    private static func containsEscapable(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        return hasZeroByte(word ^ (ones &* 0x26)) | hasZeroByte(word ^ (ones &* 0x3C))
            | hasZeroByte(word ^ (ones &* 0x3E)) | hasZeroByte(word ^ (ones &* 0x22))
            | hasZeroByte(word ^ (ones &* 0x27)) != 0
    }

    private static func write(
        _ entity: StaticString, at cursor: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        let count = entity.utf8CodeUnitCount
        for offset in 0..<count { cursor[offset] = entity.utf8Start[offset] }
        return cursor + count
    }

    private mutating func appendDecimal(_ number: Int) {
        if number >= 0 && number < 10 {
            output.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = number.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 { output.append(UInt8(ascii: "-")) }
            output.append(UnsafePointer(digits.baseAddress! + start), count: digits.count - start)
        }
    }
}
