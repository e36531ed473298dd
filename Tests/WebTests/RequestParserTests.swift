import Testing
import Web

/// The request line: method, target forms, version, and the basic shape of a parsed request.
struct RequestParserTests {
    @Test func parsesSimpleGet() throws {
        let (head, body) = try #require(parsedHead("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"))
        #expect(head.method == .get)
        #expect(head.target == "/a/b?x=1")
        #expect(head.path == "/a/b")
        #expect(head.query == "x=1")
        #expect(head.version == (1, 1))
        #expect(head.headers.fields.map(\.name) == ["Host", "Accept"])
        #expect(head.headers["accept"] == "*/*")
        #expect(head.keepAlive)
        #expect(body.isEmpty)
    }

    @Test func returnsNilUntilHeadIsComplete() throws {
        var parser = RequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("\r".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("\n".utf8))
        #expect(try parser.next() != nil)
        #expect(try parser.next() == nil)
    }

    @Test func keepsUnknownWellFormedMethods() throws {
        let (head, _) = try #require(parsedHead("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(head.method.rawValue == "PROPFIND")
    }

    @Test(arguments: ["G@T", "GE\"T", "G(T", "GET\u{7F}"])
    func rejectsMethodThatIsNotAToken(method: String) {
        #expect(parseStatus("\(method) / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
    }

    @Test(arguments: [
        "GET  / HTTP/1.1", "GET /  HTTP/1.1", "GET / HTTP/1.1 ", " GET / HTTP/1.1", "GET\t/ HTTP/1.1",
        "GET / HTTP/1.1 extra", "GET /", "GET", "/ HTTP/1.1",
    ])
    func rejectsMalformedRequestLine(line: String) {
        #expect(parseStatus("\(line)\r\nHost: a\r\n\r\n") == 400)
    }

    @Test func rejectsHTTP09StyleLine() {
        #expect(parseFailure("GET /index.html\r\n\r\n") == .badRequest("missing HTTP version"))
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0", "HTTP/9.9"])
    func answers505ForOtherVersions(version: String) {
        #expect(parseFailure("GET / \(version)\r\nHost: a\r\n\r\n") == .versionNotSupported)
    }

    @Test(arguments: ["http/1.1", "HTTP/1", "HTTP/11", "HTTP/1.10", "HTTP/a.b", "HTTPS/1.1", "HTTP 1.1", "HTTP/1.1x"])
    func rejectsGarbageVersion(version: String) {
        #expect(parseStatus("GET / \(version)\r\nHost: a\r\n\r\n") == 400)
    }

    @Test func acceptsHTTP10WithoutHost() throws {
        let (head, _) = try #require(parsedHead("GET / HTTP/1.0\r\n\r\n"))
        #expect(head.version == (1, 0))
        #expect(!head.keepAlive)
    }

    @Test func reducesAbsoluteFormToOriginForm() throws {
        let (head, _) = try #require(parsedHead("GET http://example.com:8080/p/q?x=1 HTTP/1.1\r\nHost: other\r\n\r\n"))
        #expect(head.target == "/p/q?x=1")
        #expect(head.headers["Host"] == "example.com:8080")
    }

    @Test(arguments: [
        ("HTTP://h", "/"), ("hTTpS://h", "/"), ("http://h?q=1", "/?q=1"), ("https://h/", "/"), ("http://h/a", "/a"),
    ])
    func normalisesAbsoluteFormPaths(target: String, expected: String) throws {
        let (head, _) = try #require(parsedHead("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(head.target == expected)
    }

    @Test(arguments: ["http:///path", "http://user@h/", "ftp://h/", "http:/h/", "example.com:443", "index.html", "?x"])
    func rejectsOtherTargetForms(target: String) {
        #expect(parseStatus("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n") == 400)
    }

    @Test func acceptsAsteriskOnlyWithOptions() throws {
        let (head, _) = try #require(parsedHead("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(head.target == "*")
        #expect(parseStatus("GET * HTTP/1.1\r\nHost: h\r\n\r\n") == 400)
    }

    @Test(arguments: [UInt8(0x00), 0x01, 0x7F, 0x80, 0xFF, 0x09, 0x0D])
    func rejectsTargetWithInvisibleByte(byte: UInt8) {
        let bytes = Array("GET /a".utf8) + [byte] + Array("b HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        #expect(feed(bytes).error?.status == 400)
    }

    @Test func skipsAFewLeadingEmptyLines() {
        #expect(parsedRequests("\r\n\r\n" + getRequest("/x")).count == 1)
        #expect(parseStatus(String(repeating: "\r\n", count: 5) + getRequest()) == 400)
    }

    @Test func rejectsBareLFInRequestLine() {
        #expect(parseFailure("GET / HTTP/1.1\nHost: a\r\n\r\n") == .badRequest("bare LF"))
        #expect(parseFailure("\n" + getRequest()) == .badRequest("bare LF"))
    }

    @Test func defaultsKeepAliveByVersionAndConnectionHeader() throws {
        #expect(try #require(parsedHead(getRequest("/", "Connection: close\r\n"))).0.keepAlive == false)
        #expect(try #require(parsedHead(getRequest("/", "Connection: Upgrade, CLOSE\r\n"))).0.keepAlive == false)
        #expect(try #require(parsedHead(getRequest("/", "Connection: keep-alive\r\n"))).0.keepAlive)
        #expect(try #require(parsedHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).0.keepAlive)
        #expect(try #require(parsedHead("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n")).0.keepAlive == false)
        #expect(try #require(parsedHead("GET / HTTP/1.0\r\nConnection: x-keep-alive\r\n\r\n")).0.keepAlive == false)
    }

    @Test func staysDeadAfterAnError() {
        var parser = RequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.badRequest("invalid header field name")) { try parser.next() }
        parser.append(Array(getRequest().utf8))
        #expect(throws: HTTPParseError.badRequest("invalid header field name")) { try parser.next() }
    }

    @Test func mapsErrorsToStatusCodes() {
        #expect(HTTPParseError.badRequest("x").status == 400)
        #expect(HTTPParseError.uriTooLong.status == 414)
        #expect(HTTPParseError.headersTooLarge.status == 431)
        #expect(HTTPParseError.payloadTooLarge.status == 413)
        #expect(HTTPParseError.unsupportedTransferEncoding.status == 501)
        #expect(HTTPParseError.versionNotSupported.status == 505)
    }
}
