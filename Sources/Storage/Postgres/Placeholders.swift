/// Rewrites `?` placeholders to PostgreSQL's `$1, $2, …`, leaving alone every `?` inside a string
/// literal (`'…'`, `E'…'`, `$tag$…$tag$`), a quoted identifier, or a comment.
///
/// PostgreSQL's jsonb `?` operators therefore cannot be written directly; use `jsonb_exists()`.
enum Placeholders {
    /// The rewritten SQL and how many placeholders it has.
    static func rewrite(_ sql: String) -> (sql: String, count: Int) {
        let bytes = Array(sql.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var count = 0
        var index = 0

        /// Copies bytes up to and including the end of the construct that `end` finds.
        func copy(through end: Int) {
            let stop = min(end, bytes.count)
            output.append(contentsOf: bytes[index..<stop])
            index = stop
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "?"):
                count += 1
                output.append(contentsOf: Array("$\(count)".utf8))
                index += 1
            case UInt8(ascii: "'"):
                let escapes = index > 0 && (bytes[index - 1] | 0x20) == UInt8(ascii: "e")
                    && (index < 2 || !isIdentifier(bytes[index - 2]))
                copy(through: endOfQuoted(bytes, from: index, quote: byte, backslashEscapes: escapes))
            case UInt8(ascii: "\""):
                copy(through: endOfQuoted(bytes, from: index, quote: byte, backslashEscapes: false))
            case UInt8(ascii: "-") where next(bytes, index) == UInt8(ascii: "-"):
                copy(through: (bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count - 1) + 1)
            case UInt8(ascii: "/") where next(bytes, index) == UInt8(ascii: "*"):
                copy(through: endOfBlockComment(bytes, from: index))
            case UInt8(ascii: "$") where index == 0 || !isIdentifier(bytes[index - 1]):
                if let tagEnd = dollarTagEnd(bytes, from: index) {
                    let tag = Array(bytes[index...tagEnd])
                    copy(through: endOfDollarQuote(bytes, body: tagEnd + 1, tag: tag))
                } else {
                    copy(through: index + 1)
                }
            default:
                copy(through: index + 1)
            }
        }
        return (String(decoding: output, as: UTF8.self), count)
    }

    private static func next(_ bytes: [UInt8], _ index: Int) -> UInt8? {
        index + 1 < bytes.count ? bytes[index + 1] : nil
    }

    private static func isIdentifier(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || byte >= 0x80
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Index just past the closing quote; a doubled quote (`''`, `""`) stays inside.
    private static func endOfQuoted(_ bytes: [UInt8], from start: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var index = start + 1
        while index < bytes.count {
            if backslashEscapes && bytes[index] == UInt8(ascii: "\\") {
                index += 2
            } else if bytes[index] == quote {
                if next(bytes, index) == quote { index += 2 } else { return index + 1 }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// Index just past the end of a (possibly nested, as PostgreSQL allows) block comment.
    private static func endOfBlockComment(_ bytes: [UInt8], from start: Int) -> Int {
        var depth = 0
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "/") && next(bytes, index) == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*") && next(bytes, index) == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return index }
            } else {
                index += 1
            }
        }
        return bytes.count
    }

    /// For `$tag$` or `$$` at `start`, the index of the closing `$` of the tag; nil for `$1`.
    private static func dollarTagEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { return nil }
        while index < bytes.count, isIdentifier(bytes[index]) { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: "$") ? index : nil
    }

    private static func endOfDollarQuote(_ bytes: [UInt8], body: Int, tag: [UInt8]) -> Int {
        var index = body
        while index + tag.count <= bytes.count {
            if bytes[index] == UInt8(ascii: "$") && Array(bytes[index..<(index + tag.count)]) == tag {
                return index + tag.count
            }
            index += 1
        }
        return bytes.count
    }
}
