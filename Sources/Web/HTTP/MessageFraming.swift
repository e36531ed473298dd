/// What the header fields say about message framing and connection handling, gathered field by
/// field while the head is parsed, so nothing has to look the headers up again afterwards.
struct MessageFraming: Sendable {
    /// How many `Host` fields arrived.
    var hostCount = 0
    /// The agreed `Content-Length`, when any was sent.
    var contentLength: Int?
    /// Whether any `Transfer-Encoding` field arrived.
    var hasTransferEncoding = false
    /// Whether the last transfer coding seen so far is `chunked`.
    var endsWithChunked = false
    /// Transfer-coding list problems, kept apart so a malformed list (400) wins over an unknown
    /// coding (501) whatever order they came in.
    var malformedCoding = false
    var unknownCoding = false
    /// `Connection` tokens that decide keep-alive.
    var connectionClose = false
    var connectionKeepAlive = false
    /// Whether `Expect: 100-continue` was sent.
    var expectsContinue = false

    /// Records a field whose name matters for framing; other fields are ignored.
    mutating func record(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        switch name.count {
        case 4 where HTTPSyntax.equalsIgnoringCase(name, "host"):
            hostCount += 1
            // A Host that is not host[:port] is a 400 (RFC 9110 §7.2): a proxy in front of us may
            // route by a different reading of it than ours.
            guard HTTPSyntax.isAuthority(value) else { throw .badRequest("invalid Host") }
        case 14 where HTTPSyntax.equalsIgnoringCase(name, "content-length"):
            try recordContentLength(value)
        case 17 where HTTPSyntax.equalsIgnoringCase(name, "transfer-encoding"):
            recordTransferEncoding(value)
        case 10 where HTTPSyntax.equalsIgnoringCase(name, "connection"):
            Self.forEachElement(of: value) { token in
                if HTTPSyntax.equalsIgnoringCase(token, "close") { connectionClose = true }
                if HTTPSyntax.equalsIgnoringCase(token, "keep-alive") { connectionKeepAlive = true }
            }
        case 6 where HTTPSyntax.equalsIgnoringCase(name, "expect"):
            Self.forEachElement(of: value) { token in
                if HTTPSyntax.equalsIgnoringCase(token, "100-continue") { expectsContinue = true }
            }
        default:
            break
        }
    }

    /// Accepts repeated or listed lengths only when they all agree; anything else could make two
    /// parsers in a chain disagree about where this request ends.
    private mutating func recordContentLength(_ value: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        var elements = 0
        try Self.forEachElement(of: value) { (digits) throws(HTTPParseError) in
            elements += 1
            var length = 0
            for byte in digits {
                guard byte >= 0x30 && byte <= 0x39 else { throw .badRequest("invalid Content-Length") }
                let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(byte &- 0x30))
                guard !overflow1 && !overflow2 else { throw .badRequest("Content-Length overflow") }
                length = sum
            }
            if let previous = contentLength, previous != length {
                throw .badRequest("conflicting Content-Length values")
            }
            contentLength = length
        }
        guard elements > 0 else { throw .badRequest("empty Content-Length") }
    }

    /// Notes each coding in order; the verdict waits for the whole head (see `transferCodingError`).
    private mutating func recordTransferEncoding(_ value: UnsafeBufferPointer<UInt8>) {
        hasTransferEncoding = true
        Self.forEachElement(of: value) { element in
            var nameEnd = 0
            while nameEnd < element.count && HTTPSyntax.isToken(element[nameEnd]) { nameEnd += 1 }
            let name = UnsafeBufferPointer(rebasing: element[..<nameEnd])
            let isChunked = HTTPSyntax.equalsIgnoringCase(name, "chunked")
            if nameEnd == 0 || endsWithChunked {
                // Not a coding name, or something after `chunked`: a later coding (or a second
                // `chunked`) leaves the body length ambiguous.
                malformedCoding = true
            } else if nameEnd < element.count {
                // Parameters: none are defined for `chunked`; other codings are unsupported anyway.
                var next = nameEnd
                while HTTPSyntax.isWhitespace(element[next]) { next += 1 }
                if isChunked || element[next] != HTTPSyntax.semicolon { malformedCoding = true }
                unknownCoding = true
            } else if !isChunked {
                unknownCoding = true
            }
            endsWithChunked = isChunked
        }
    }

    /// The error a `Transfer-Encoding` list deserves, or nil when it is exactly a final `chunked`.
    var transferCodingError: HTTPParseError? {
        if malformedCoding || (!unknownCoding && !endsWithChunked) {
            return .badRequest("malformed Transfer-Encoding")
        }
        if unknownCoding { return .unsupportedTransferEncoding }
        return nil
    }

    /// Calls `body` with each non-empty element of a comma-separated list, trimmed of OWS
    /// (RFC 9110 §5.6.1: empty elements are ignored).
    static func forEachElement<E: Error>(of value: UnsafeBufferPointer<UInt8>,
                                         _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> Void) throws(E) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count && value[end] != HTTPSyntax.comma { end += 1 }
            var low = start
            var high = end
            while low < high && HTTPSyntax.isWhitespace(value[low]) { low += 1 }
            while high > low && HTTPSyntax.isWhitespace(value[high - 1]) { high -= 1 }
            if low < high { try body(UnsafeBufferPointer(rebasing: value[low..<high])) }
            start = end + 1
        }
    }
}
