extension RequestParser {
    /// Most significant hex digits in a chunk size: 15 digits stay below 2^60, so the size cannot
    /// overflow; anything that large is over the body limit anyway.
    static let maxChunkSizeDigits = 15

    /// Decodes chunked framing (RFC 9112 §7.1) into `chunkedBody`; true once the trailer section
    /// has ended and the request is complete.
    mutating func readChunked(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Bool {
        while true {
            switch phase {
            case .chunkSize:
                guard let length = try scanLine(bytes, budget: Self.maxChunkLineBytes,
                                                overBudget: .badRequest("chunk size line too long")) else { return false }
                let size = try parseChunkSizeLine(UnsafeBufferPointer(rebasing: bytes[readIndex..<readIndex + length]))
                readIndex += length + 2
                if size == 0 {
                    phase = .trailers
                } else {
                    // Checked on the declared size, before its data is buffered.
                    guard size <= limits.maxBodyBytes - chunkedBody.count else { throw .payloadTooLarge }
                    phase = .chunkData(size)
                }
            case .chunkData(let remaining):
                let count = min(remaining, bytes.count - readIndex)
                guard count > 0 else { return false }
                chunkedBody.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[readIndex..<readIndex + count]))
                readIndex += count
                phase = count == remaining ? .chunkDataEnd : .chunkData(remaining - count)
            case .chunkDataEnd:
                let available = bytes.count - readIndex
                if available >= 1 && bytes[readIndex] != HTTPSyntax.cr { throw .badRequest("missing CRLF after chunk data") }
                guard available >= 2 else { return false }
                guard bytes[readIndex + 1] == HTTPSyntax.lf else { throw .badRequest("missing CRLF after chunk data") }
                readIndex += 2
                phase = .chunkSize
            case .trailers:
                guard let length = try scanLine(bytes, budget: limits.maxHeaderBytes - sectionBytes,
                                                overBudget: .headersTooLarge) else { return false }
                let line = UnsafeBufferPointer(rebasing: bytes[readIndex..<readIndex + length])
                sectionBytes += length + 2
                readIndex += length + 2
                if length == 0 { return true }
                // Validated like header fields, then dropped: nothing downstream reads trailers.
                _ = try Self.splitField(line)
                fieldCount += 1
                guard fieldCount <= limits.maxHeaderCount else { throw .headersTooLarge }
            case .head, .fixedBody:
                preconditionFailure("readChunked outside chunked framing")
            }
        }
    }

    /// `chunk-size [ chunk-ext ]`: hex digits without sign, prefix or padding spaces.
    private mutating func parseChunkSizeLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        var index = 0
        // Leading zeros do not count toward the digit bound; the line length still bounds them.
        while index < line.count && line[index] == 0x30 { index += 1 }
        var sawDigit = index > 0
        var size = 0
        var digits = 0
        while index < line.count, let value = HTTPSyntax.hexValue(line[index]) {
            digits += 1
            guard digits <= Self.maxChunkSizeDigits else { throw .badRequest("chunk size too long") }
            size = size << 4 | value
            sawDigit = true
            index += 1
        }
        guard sawDigit else { throw .badRequest("invalid chunk size") }
        try Self.validateChunkExtensions(UnsafeBufferPointer(rebasing: line[index...]))
        extensionBytes += line.count - index
        guard extensionBytes <= limits.maxHeaderBytes else { throw .badRequest("chunk extensions too long") }
        return size
    }

    /// `*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )`, nothing else.
    private static func validateChunkExtensions(_ text: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        var index = 0
        while index < text.count {
            while index < text.count && HTTPSyntax.isWhitespace(text[index]) { index += 1 }
            guard index < text.count && text[index] == HTTPSyntax.semicolon else {
                throw .badRequest("invalid chunk extension")
            }
            index += 1
            while index < text.count && HTTPSyntax.isWhitespace(text[index]) { index += 1 }
            let nameStart = index
            while index < text.count && HTTPSyntax.isToken(text[index]) { index += 1 }
            guard index > nameStart else { throw .badRequest("invalid chunk extension") }
            var probe = index
            while probe < text.count && HTTPSyntax.isWhitespace(text[probe]) { probe += 1 }
            guard probe < text.count && text[probe] == HTTPSyntax.equals else { continue }
            index = probe + 1
            while index < text.count && HTTPSyntax.isWhitespace(text[index]) { index += 1 }
            if index < text.count && text[index] == HTTPSyntax.quote {
                index = try skipQuotedString(text, from: index)
            } else {
                let valueStart = index
                while index < text.count && HTTPSyntax.isToken(text[index]) { index += 1 }
                guard index > valueStart else { throw .badRequest("invalid chunk extension") }
            }
        }
    }

    /// The index just past the quoted-string opening at `start` (RFC 9110 §5.6.4).
    private static func skipQuotedString(_ text: UnsafeBufferPointer<UInt8>, from start: Int) throws(HTTPParseError) -> Int {
        var index = start + 1
        while index < text.count {
            let byte = text[index]
            if byte == HTTPSyntax.quote { return index + 1 }
            if byte == HTTPSyntax.backslash {
                guard index + 1 < text.count, HTTPSyntax.isFieldValueByte(text[index + 1]) else { break }
                index += 2
            } else {
                guard HTTPSyntax.isFieldValueByte(byte) else { break }
                index += 1
            }
        }
        throw .badRequest("invalid quoted string in chunk extension")
    }
}
