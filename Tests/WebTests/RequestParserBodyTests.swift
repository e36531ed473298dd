import Testing
import Web

/// Content-Length, Transfer-Encoding selection and Expect: 100-continue.
struct RequestParserBodyTests {
    private func post(_ fields: String, _ body: String = "", version: String = "1.1") -> String {
        "POST /form HTTP/\(version)\r\nHost: h\r\n\(fields)\r\n\(body)"
    }

    @Test func readsContentLengthBody() throws {
        let (head, body) = try #require(parsedHead(post("Content-Length: 11\r\n", "hello world")))
        #expect(head.method == .post)
        #expect(String(decoding: body, as: UTF8.self) == "hello world")
    }

    @Test func waitsForTheWholeBody() throws {
        var parser = RequestParser()
        parser.append(Array(post("Content-Length: 5\r\n", "abc").utf8))
        #expect(try parser.next() == nil)
        #expect(parser.isMidRequest)
        parser.append(Array("de".utf8))
        guard case .request(_, let body)? = try parser.next() else { Issue.record("no request"); return }
        #expect(body == Array("abcde".utf8))
        #expect(!parser.isMidRequest)
    }

    @Test func treatsRequestWithoutLengthAsEmptyBody() {
        let outcome = feed(post("") + getRequest("/next"))
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 2)
        guard case .request(_, _, _, _, _, let body) = outcome.events.first else { return }
        #expect(body == "")
    }

    @Test func readsBodiesOnGetAndHead() {
        let events = parsedRequests("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcHEAD / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nz")
        #expect(events.map { if case .request(let method, _, _, _, _, let body) = $0 { "\(method):\(body)" } else { "" } } == ["GET:abc", "HEAD:z"])
    }

    @Test func acceptsRepeatedIdenticalContentLengths() throws {
        #expect(try #require(parsedHead(post("Content-Length: 3\r\nContent-Length: 3\r\n", "abc"))).1.count == 3)
        #expect(try #require(parsedHead(post("Content-Length: 3, 3,3\r\n", "abc"))).1.count == 3)
        #expect(try #require(parsedHead(post("Content-Length: 003\r\n", "abc"))).1.count == 3)
    }

    @Test(arguments: ["3, 4", "3\r\nContent-Length: 4"])
    func rejectsConflictingContentLengths(value: String) {
        #expect(parseFailure(post("Content-Length: \(value)\r\n", "abcd")) == .badRequest("conflicting Content-Length values"))
    }

    @Test(arguments: ["+3", "-3", "3a", "0x3", "3 3", "3.0", "", ",", "1e3"])
    func rejectsNonDigitContentLength(value: String) {
        #expect(parseStatus(post("Content-Length: \(value)\r\n", "abc")) == 400)
    }

    @Test func rejectsOverflowingContentLength() {
        #expect(parseFailure(post("Content-Length: 99999999999999999999999\r\n")) == .badRequest("Content-Length overflow"))
    }

    @Test func rejectsContentLengthWithTransferEncoding() {
        let expected = HTTPParseError.badRequest("both Content-Length and Transfer-Encoding")
        #expect(parseFailure(post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")) == expected)
        #expect(parseFailure(post("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", "0\r\n\r\n")) == expected)
    }

    @Test func rejectsTransferEncodingInHTTP10() {
        #expect(parseFailure(post("Transfer-Encoding: chunked\r\n", "0\r\n\r\n", version: "1.0")) == .badRequest("Transfer-Encoding in HTTP/1.0"))
    }

    @Test(arguments: ["chunked", "CHUNKED", "Chunked", " chunked ", "chunked,", ", chunked"])
    func acceptsFinalChunked(value: String) {
        let outcome = feed(post("Transfer-Encoding: \(value)\r\n", "1\r\nx\r\n0\r\n\r\n"))
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 1)
    }

    @Test(arguments: ["gzip", "identity", "gzip, chunked", "deflate,chunked", "x-custom, chunked", "gzip;q=1, chunked"])
    func answers501ForUnknownCodings(value: String) {
        #expect(parseFailure(post("Transfer-Encoding: \(value)\r\n", "0\r\n\r\n")) == .unsupportedTransferEncoding)
    }

    @Test(arguments: [
        "chunked, chunked", "chunked, gzip", "chunked\r\nTransfer-Encoding: chunked", "chunked\r\nTransfer-Encoding: gzip",
        "", "chunked;x=1", "chu nked", "\"chunked\"", "chunked@", "gzip, chunked, gzip",
    ])
    func rejectsMalformedCodingLists(value: String) {
        #expect(parseFailure(post("Transfer-Encoding: \(value)\r\n", "0\r\n\r\n")) == .badRequest("malformed Transfer-Encoding"))
    }

    @Test func combinesCodingsAcrossRepeatedFields() {
        #expect(parseFailure(post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")) == .unsupportedTransferEncoding)
    }

    @Test func announcesContinueBeforeTheBody() throws {
        var parser = RequestParser()
        parser.append(Array(post("Expect: 100-continue\r\nContent-Length: 4\r\n").utf8))
        guard case .expectsContinue(let head)? = try parser.next() else { Issue.record("no 100-continue"); return }
        #expect(head.target == "/form")
        #expect(try parser.next() == nil)
        parser.append(Array("body".utf8))
        guard case .request(_, let body)? = try parser.next() else { Issue.record("no request"); return }
        #expect(body == Array("body".utf8))
        #expect(try parser.next() == nil)
    }

    @Test func announcesContinueForChunkedBodies() {
        let outcome = feed(post("Expect: 100-Continue\r\nTransfer-Encoding: chunked\r\n"))
        #expect(outcome.events == [.expectsContinue("POST /form")])
    }

    @Test func skipsContinueWhenBodyAlreadyArrivedOrIsEmpty() {
        #expect(parsedRequests(post("Expect: 100-continue\r\nContent-Length: 2\r\n", "ok")).count == 1)
        let partial = feed(post("Expect: 100-continue\r\nContent-Length: 2\r\n", "o"))
        #expect(partial.events.isEmpty && partial.error == nil)
        #expect(parsedRequests(post("Expect: 100-continue\r\nContent-Length: 0\r\n")).count == 1)
        #expect(parsedRequests(post("Expect: 100-continue\r\n")).count == 1)
    }

    @Test func ignoresContinueFromHTTP10Clients() {
        #expect(feed(post("Expect: 100-continue\r\nContent-Length: 2\r\n", version: "1.0")).events.isEmpty)
    }

    @Test func refusesOversizedContentLengthWithoutContinue() {
        let limits = HTTPLimits(maxBodyBytes: 10)
        #expect(feed(post("Expect: 100-continue\r\nContent-Length: 11\r\n"), limits: limits).error == .payloadTooLarge)
        #expect(feed(post("Content-Length: 10\r\n", "0123456789"), limits: limits).events.count == 1)
    }
}
