/// Progress on the request line and header section of the request being parsed.
struct HeadProgress: Sendable {
    /// Whether the request line has been parsed; header lines follow.
    var requestLineDone = false
    /// Offsets of the first two spaces in the request line, tracked while it arrives so the target
    /// length is known before the line ends (414 without buffering the whole line).
    var firstSpace = -1
    var secondSpace = -1
    /// Empty lines skipped before the request line.
    var emptyLines = 0
    var method = HTTPMethod.get
    var target = ""
    /// The authority of an absolute-form target, which replaces the Host field's value.
    var authority: String?
    var version = (major: 1, minor: 1)
    var fields: [(String, String)] = []
    var framing = MessageFraming()
}

extension RequestParser {
    /// Parses complete head lines as they arrive (each line is consumed once parsed); returns the
    /// head and its framing once the blank line ending the header section is in.
    mutating func readHead(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (RequestHead, MessageFraming)? {
        while !head.requestLineDone {
            guard let length = try scanRequestLine(bytes) else { return nil }
            if length == 0 {
                head.emptyLines += 1
                guard head.emptyLines <= Self.maxLeadingEmptyLines else {
                    throw .badRequest("too many empty lines before the request line")
                }
                readIndex += 2
                continue
            }
            try parseRequestLine(UnsafeBufferPointer(rebasing: bytes[readIndex..<readIndex + length]))
            sectionBytes = length + 2
            readIndex += length + 2
            head.requestLineDone = true
        }
        while true {
            guard let length = try scanLine(bytes, budget: limits.maxHeaderBytes - sectionBytes,
                                            overBudget: .headersTooLarge) else { return nil }
            let line = UnsafeBufferPointer(rebasing: bytes[readIndex..<readIndex + length])
            sectionBytes += length + 2
            readIndex += length + 2
            if length == 0 { return try finishHead() }
            try addField(line)
        }
    }

    /// Like `scanLine`, but also notes the spaces of the request line so an over-long target is
    /// rejected with 414 while it is still arriving.
    private mutating func scanRequestLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int? {
        let start = readIndex
        let available = bytes.count - start
        let end = start + min(available, limits.maxHeaderBytes)
        var index = start + lineScanned
        while index < end {
            let byte = bytes[index]
            if byte == HTTPSyntax.lf { break }
            if byte == HTTPSyntax.space {
                if head.firstSpace < 0 {
                    head.firstSpace = index - start
                } else if head.secondSpace < 0 {
                    head.secondSpace = index - start
                } else {
                    throw .badRequest("malformed request line")
                }
            } else if head.firstSpace >= 0 && head.secondSpace < 0 && byte != HTTPSyntax.cr
                        && index - start - head.firstSpace > limits.maxURIBytes {
                // Decided at the byte that overflows, so any split of the input fails the same way.
                throw .uriTooLong
            }
            index += 1
        }
        guard index < end else {
            if available >= limits.maxHeaderBytes { throw .headersTooLarge }
            lineScanned = index - start
            return nil
        }
        guard index > start && bytes[index - 1] == HTTPSyntax.cr else { throw .badRequest("bare LF") }
        lineScanned = 0
        return index - 1 - start
    }

    /// `method SP request-target SP HTTP-version`, with exactly one space between the parts.
    private mutating func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        let first = head.firstSpace
        let second = head.secondSpace
        guard first > 0 else { throw .badRequest("malformed request line") }
        guard second >= 0 else { throw .badRequest("missing HTTP version") }
        guard second > first + 1 else { throw .badRequest("empty request target") }
        let method = UnsafeBufferPointer(rebasing: line[..<first])
        for byte in method where !HTTPSyntax.isToken(byte) { throw .badRequest("invalid method") }
        head.version = try Self.parseVersion(UnsafeBufferPointer(rebasing: line[(second + 1)...]))
        head.method = HTTPMethod(rawValue: String(decoding: method, as: UTF8.self))
        try parseTarget(UnsafeBufferPointer(rebasing: line[(first + 1)..<second]))
        head.fields.reserveCapacity(16)
    }

    /// `HTTP/DIGIT.DIGIT`; well-formed versions other than 1.0 and 1.1 get 505.
    private static func parseVersion(_ text: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (major: Int, minor: Int) {
        guard text.count == 8, text[0] == 0x48, text[1] == 0x54, text[2] == 0x54, text[3] == 0x50,
              text[4] == HTTPSyntax.slash, text[6] == 0x2E,
              (0x30...0x39).contains(text[5]), (0x30...0x39).contains(text[7]) else {
            throw .badRequest("malformed HTTP version")
        }
        let major = Int(text[5] &- 0x30)
        let minor = Int(text[7] &- 0x30)
        guard major == 1 && minor <= 1 else { throw .versionNotSupported }
        return (major, minor)
    }

    /// Origin form as is, `*` for OPTIONS, absolute form reduced to origin form; nothing else.
    private mutating func parseTarget(_ target: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        for byte in target where !HTTPSyntax.isVisible(byte) {
            throw .badRequest("invalid character in request target")
        }
        if target[0] == HTTPSyntax.slash {
            head.target = String(decoding: target, as: UTF8.self)
            return
        }
        if target.count == 1 && target[0] == 0x2A {
            guard head.method == .options else { throw .badRequest("asterisk target without OPTIONS") }
            head.target = "*"
            return
        }
        let schemeLength: Int
        if target.count >= 7 && HTTPSyntax.equalsIgnoringCase(UnsafeBufferPointer(rebasing: target[..<7]), "http://") {
            schemeLength = 7
        } else if target.count >= 8 && HTTPSyntax.equalsIgnoringCase(UnsafeBufferPointer(rebasing: target[..<8]), "https://") {
            schemeLength = 8
        } else {
            throw .badRequest("unsupported request target form")
        }
        var pathStart = schemeLength
        while pathStart < target.count && target[pathStart] != HTTPSyntax.slash && target[pathStart] != HTTPSyntax.question {
            pathStart += 1
        }
        let authority = UnsafeBufferPointer(rebasing: target[schemeLength..<pathStart])
        // Userinfo is deprecated in http(s) URIs and only useful for disguising the real host;
        // `isAuthority` leaves it out, with anything else that is not host[:port].
        guard !authority.isEmpty, HTTPSyntax.isAuthority(authority) else {
            throw .badRequest("invalid authority in request target")
        }
        head.authority = String(decoding: authority, as: UTF8.self)
        let rest = String(decoding: UnsafeBufferPointer(rebasing: target[pathStart...]), as: UTF8.self)
        head.target = rest.utf8.first == HTTPSyntax.slash ? rest : "/" + rest
    }

    /// Validates one field line, records its framing meaning and keeps it.
    private mutating func addField(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        let (name, value) = try Self.splitField(line)
        fieldCount += 1
        guard fieldCount <= limits.maxHeaderCount else { throw .headersTooLarge }
        try head.framing.record(name: name, value: value)
        let valueString: String
        if let authority = head.authority, HTTPSyntax.equalsIgnoringCase(name, "host") {
            // RFC 9112 §3.2.2: the target's authority overrides the Host field.
            valueString = authority
        } else {
            valueString = String(decoding: value, as: UTF8.self)
        }
        head.fields.append((String(decoding: name, as: UTF8.self), valueString))
    }

    /// `field-name ":" OWS field-value OWS`, validated; returns the name and the trimmed value.
    static func splitField(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError)
        -> (name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        if HTTPSyntax.isWhitespace(line[0]) { throw .badRequest("obsolete line folding") }
        var colon = 0
        while colon < line.count && HTTPSyntax.isToken(line[colon]) { colon += 1 }
        guard colon < line.count && line[colon] == HTTPSyntax.colon else { throw .badRequest("invalid header field name") }
        guard colon > 0 else { throw .badRequest("empty header field name") }
        var low = colon + 1
        var high = line.count
        while low < high && HTTPSyntax.isWhitespace(line[low]) { low += 1 }
        while high > low && HTTPSyntax.isWhitespace(line[high - 1]) { high -= 1 }
        let value = UnsafeBufferPointer(rebasing: line[low..<high])
        for byte in value where !HTTPSyntax.isFieldValueByte(byte) {
            throw .badRequest("invalid character in header field value")
        }
        return (UnsafeBufferPointer(rebasing: line[..<colon]), value)
    }

    /// Cross-field checks once the header section is complete, then the finished head.
    private func finishHead() throws(HTTPParseError) -> (RequestHead, MessageFraming) {
        let framing = head.framing
        let version = head.version
        guard framing.hostCount <= 1 else { throw .badRequest("duplicate Host") }
        guard framing.hostCount == 1 || version.minor == 0 else { throw .badRequest("missing Host") }
        if framing.hasTransferEncoding {
            guard version.minor == 1 else { throw .badRequest("Transfer-Encoding in HTTP/1.0") }
            guard framing.contentLength == nil else {
                throw .badRequest("both Content-Length and Transfer-Encoding")
            }
            if let error = framing.transferCodingError { throw error }
        }
        let keepAlive = version.minor == 1
            ? !framing.connectionClose
            : framing.connectionKeepAlive && !framing.connectionClose
        let requestHead = RequestHead(method: head.method, target: head.target, version: version,
                                      headers: HTTPHeaders(head.fields), keepAlive: keepAlive)
        return (requestHead, framing)
    }
}
