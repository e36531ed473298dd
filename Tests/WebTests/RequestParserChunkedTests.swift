import Testing
import Web

/// Chunked transfer coding (RFC 9112 §7.1): sizes, extensions, data framing and trailers.
struct RequestParserChunkedTests {
    private func chunked(_ framing: String) -> String {
        "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + framing
    }

    private func body(_ framing: String, limits: HTTPLimits = HTTPLimits()) -> String? {
        let outcome = feed(chunked(framing), limits: limits)
        guard outcome.error == nil, outcome.events.count == 1,
              case .request(_, _, _, _, _, let body) = outcome.events[0] else { return nil }
        return body
    }

    @Test func decodesChunks() {
        #expect(body("5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n") == "hello world")
    }

    @Test func decodesEmptyChunkedBody() {
        #expect(body("0\r\n\r\n") == "")
    }

    @Test func acceptsHexSizesInBothCases() {
        let data = String(repeating: "x", count: 26)
        #expect(body("1a\r\n\(data)\r\n0\r\n\r\n") == data)
        #expect(body("1A\r\n\(data)\r\n0\r\n\r\n") == data)
        #expect(body("001A\r\n\(data)\r\n000\r\n\r\n") == data)
    }

    @Test(arguments: [
        "5;name\r\nhello\r\n0\r\n\r\n",
        "5;name=value\r\nhello\r\n0\r\n\r\n",
        "5;a=1;b;c=\"quoted; \\\"value\\\"\"\r\nhello\r\n0\r\n\r\n",
        "5 ;name\r\nhello\r\n0\r\n\r\n",
        "5\t; name = value\r\nhello\r\n0;last=1\r\n\r\n",
        "5;q=\"\"\r\nhello\r\n0\r\n\r\n",
    ])
    func acceptsChunkExtensions(framing: String) {
        #expect(body(framing) == "hello")
    }

    @Test(arguments: [
        "5;\r\nhello\r\n0\r\n\r\n", "5;=v\r\nhello\r\n0\r\n\r\n", "5;a=\r\nhello\r\n0\r\n\r\n",
        "5;a=\"open\r\nhello\r\n0\r\n\r\n", "5;a b\r\nhello\r\n0\r\n\r\n", "5;a=@\r\nhello\r\n0\r\n\r\n",
        "5;a \r\nhello\r\n0\r\n\r\n", "5 \r\nhello\r\n0\r\n\r\n", "5x\r\nhello\r\n0\r\n\r\n",
    ])
    func rejectsMalformedExtensions(framing: String) {
        #expect(feed(chunked(framing)).error?.status == 400)
    }

    @Test(arguments: ["+5", "-5", "0x5", " 5", "", "g", ";a"])
    func rejectsMalformedSizes(size: String) {
        #expect(feed(chunked("\(size)\r\nhello\r\n0\r\n\r\n")).error?.status == 400)
    }

    @Test func boundsChunkSizeDigits() {
        #expect(feed(chunked("1000000000000000\r\n")).error == .badRequest("chunk size too long"))
        #expect(feed(chunked("FFFFFFFFFFFFFFFFFFFF\r\n")).error == .badRequest("chunk size too long"))
        #expect(feed(chunked("100000000000000\r\n")).error == .payloadTooLarge)
    }

    @Test func rejectsDataNotFollowedByCRLF() {
        #expect(feed(chunked("5\r\nhelloX\r\n0\r\n\r\n")).error == .badRequest("missing CRLF after chunk data"))
        #expect(feed(chunked("5\r\nhello\rX0\r\n\r\n")).error == .badRequest("missing CRLF after chunk data"))
        #expect(feed(chunked("5\r\nhello\n0\r\n\r\n")).error == .badRequest("missing CRLF after chunk data"))
        #expect(feed(chunked("3\r\nhello\r\n0\r\n\r\n")).error == .badRequest("missing CRLF after chunk data"))
    }

    @Test func rejectsBareLFInFraming() {
        #expect(feed(chunked("5\nhello\r\n0\r\n\r\n")).error == .badRequest("bare LF"))
        #expect(feed(chunked("5\r\nhello\r\n0\n\r\n")).error == .badRequest("bare LF"))
        #expect(feed(chunked("5\r\nhello\r\n0\r\n\n")).error == .badRequest("bare LF"))
        #expect(feed(chunked("5\r\nhello\r\n0\r\nX: y\n\r\n")).error == .badRequest("bare LF"))
    }

    @Test func validatesAndDiscardsTrailers() {
        let outcome = feed(chunked("5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other:  d \r\n\r\n"))
        #expect(outcome.error == nil)
        guard case .request(_, _, _, let headers, _, let body)? = outcome.events.first else {
            Issue.record("no request"); return
        }
        #expect(body == "hello")
        #expect(!headers.contains { $0.hasPrefix("X-Checksum") })
    }

    @Test(arguments: ["Bad Name: x", " folded", "X: a\u{01}b", ": empty"])
    func rejectsMalformedTrailers(line: String) {
        #expect(feed(chunked("0\r\n\(line)\r\n\r\n")).error?.status == 400)
    }

    @Test func countsTrailersAgainstHeaderLimits() {
        let head = chunked("").utf8.count
        let trailer = "X: " + String(repeating: "t", count: 40) + "\r\n"
        // The head and the trailer section share one budget; chunk framing is not part of it.
        let fits = HTTPLimits(maxHeaderBytes: head + trailer.utf8.count + 2)
        #expect(feed(chunked("0\r\n\(trailer)\r\n"), limits: fits).error == nil)
        let tight = HTTPLimits(maxHeaderBytes: head + trailer.utf8.count + 1)
        #expect(feed(chunked("0\r\n\(trailer)\r\n"), limits: tight).error == .headersTooLarge)
        #expect(feed(chunked("0\r\nA: 1\r\nB: 2\r\n\r\n"), limits: HTTPLimits(maxHeaderCount: 3)).error == .headersTooLarge)
        #expect(feed(chunked("0\r\nA: 1\r\n\r\n"), limits: HTTPLimits(maxHeaderCount: 3)).error == nil)
    }

    @Test func limitsDecodedBodySizeAsChunksArrive() {
        let limits = HTTPLimits(maxBodyBytes: 8)
        #expect(body("4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n", limits: limits) == "abcdefgh")
        var parser = RequestParser(limits: limits)
        parser.append(Array(chunked("4\r\nabcd\r\n5\r\n").utf8))
        #expect(throws: HTTPParseError.payloadTooLarge) { try parser.next() }
    }

    @Test func limitsChunkLinesAndExtensionBytes() {
        let longLine = "1;" + String(repeating: "e", count: 5000) + "\r\nx\r\n0\r\n\r\n"
        #expect(feed(chunked(longLine)).error == .badRequest("chunk size line too long"))
        let extensions = String(repeating: "1;ext=aaaaaaaaaaaaaaaaaaaa\r\nx\r\n", count: 20) + "0\r\n\r\n"
        #expect(feed(chunked(extensions), limits: HTTPLimits(maxHeaderBytes: 300)).error == .badRequest("chunk extensions too long"))
        #expect(feed(chunked(extensions)).error == nil)
    }

    @Test func decodesChunkedBodyFedOneByteAtATime() {
        let text = chunked("3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n") + getRequest("/after")
        #expect(feed(text, pieceSize: 1) == feed(text))
        #expect(feed(text, pieceSize: 1).events.count == 2)
    }

    @Test func isMidRequestUntilTheLastChunkEnds() throws {
        var parser = RequestParser()
        parser.append(Array(chunked("2\r\nab\r\n").utf8))
        #expect(try parser.next() == nil)
        #expect(parser.isMidRequest)
        parser.append(Array("0\r\n\r\n".utf8))
        #expect(try parser.next() != nil)
        #expect(!parser.isMidRequest)
    }
}
