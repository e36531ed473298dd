import Testing
import Web

/// Size limits (414, 431, 413) and the buffering guarantees behind them.
struct RequestParserLimitsTests {
    @Test func acceptsTargetAtTheURILimit() {
        let target = "/" + String(repeating: "a", count: 99)
        let outcome = feed(getRequest(target), limits: HTTPLimits(maxURIBytes: 100))
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 1)
    }

    @Test func answers414ForLongTarget() {
        let target = "/" + String(repeating: "a", count: 100)
        #expect(parseFailure(getRequest(target), limits: HTTPLimits(maxURIBytes: 100)) == .uriTooLong)
    }

    @Test func answers414BeforeTheRequestLineEnds() {
        var parser = RequestParser(limits: HTTPLimits(maxURIBytes: 100))
        parser.append(Array(("GET /" + String(repeating: "a", count: 99)).utf8))
        #expect(throws: Never.self) { try parser.next() }
        parser.append(Array("a".utf8))
        #expect(throws: HTTPParseError.uriTooLong) { try parser.next() }
    }

    @Test func answers414ForDefaultLimitEvenWhenHeaderBudgetIsLarger() {
        let target = "/" + String(repeating: "x", count: 8 * 1024)
        #expect(parseFailure(getRequest(target)) == .uriTooLong)
        #expect(feed(Array("GET \(target)".utf8)).error == .uriTooLong)
    }

    @Test func answers431ForTooManyHeaderBytes() {
        let big = "X-Big: " + String(repeating: "b", count: 17 * 1024) + "\r\n"
        #expect(parseFailure(getRequest("/", big)) == .headersTooLarge)
    }

    @Test func answers431WithoutWaitingForTheEndOfTheHead() {
        var parser = RequestParser(limits: HTTPLimits(maxHeaderBytes: 1024))
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n".utf8))
        for _ in 0..<60 { parser.append(Array("X-Filler: 0123456789\r\n".utf8)) }
        #expect(throws: HTTPParseError.headersTooLarge) { try parser.next() }
    }

    @Test func answers431ForEndlessHeaderLine() {
        var parser = RequestParser(limits: HTTPLimits(maxHeaderBytes: 1024))
        parser.append(Array("GET / HTTP/1.1\r\nX: ".utf8))
        parser.append([UInt8](repeating: 0x61, count: 1100))
        #expect(throws: HTTPParseError.headersTooLarge) { try parser.next() }
    }

    @Test func answers431ForEndlessMethod() {
        #expect(feed([UInt8](repeating: 0x47, count: 20_000)).error == .headersTooLarge)
    }

    @Test func countsTheWholeHeadIncludingItsFinalCRLF() {
        let text = getRequest()
        #expect(parseFailure(text, limits: HTTPLimits(maxHeaderBytes: text.utf8.count)) == nil)
        #expect(parseFailure(text, limits: HTTPLimits(maxHeaderBytes: text.utf8.count - 1)) == .headersTooLarge)
        #expect(feed(text, pieceSize: 1, limits: HTTPLimits(maxHeaderBytes: text.utf8.count - 1)).error == .headersTooLarge)
    }

    @Test func answers431ForTooManyFields() {
        let fields = (1...5).map { "X-\($0): v\r\n" }.joined()
        #expect(parseFailure(getRequest("/", fields), limits: HTTPLimits(maxHeaderCount: 6)) == nil)
        #expect(parseFailure(getRequest("/", fields), limits: HTTPLimits(maxHeaderCount: 5)) == .headersTooLarge)
    }

    @Test func answers413FromContentLengthBeforeTheBodyArrives() {
        var parser = RequestParser(limits: HTTPLimits(maxBodyBytes: 1000))
        parser.append(Array("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.payloadTooLarge) { try parser.next() }
    }

    @Test func acceptsBodyAtTheLimit() {
        let body = String(repeating: "z", count: 1000)
        let text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + body
        #expect(feed(text, limits: HTTPLimits(maxBodyBytes: 1000)).events.count == 1)
    }

    @Test func reportsMidRequestForTheHeaderTimeout() throws {
        var parser = RequestParser()
        #expect(!parser.isMidRequest)
        parser.append(Array("G".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.isMidRequest)
        parser.append(Array("ET / HTTP/1.1\r\n".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.isMidRequest)
        parser.append(Array("Host: h\r\n\r\n".utf8))
        #expect(try parser.next() != nil)
        #expect(!parser.isMidRequest)
        parser.append(Array("\r\n".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.isMidRequest)
    }

    @Test func handlesLargeBodyFedInSmallPieces() {
        let body = String(repeating: "0123456789abcdef", count: 4096)
        let text = "PUT /f HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body + getRequest("/after")
        let outcome = feed(text, pieceSize: 1000)
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 2)
        guard case .request(_, _, _, _, _, let received)? = outcome.events.first else { return }
        #expect(received == body)
    }
}
