import Testing
import Web

/// Header field syntax (RFC 9110 §5, RFC 9112 §5) and the Host rules.
struct RequestParserHeaderTests {
    @Test func trimsOptionalWhitespaceAroundValues() throws {
        let (head, _) = try #require(parsedHead(getRequest("/", "X-A: \t spaced out \t\r\nX-B:tight\r\nX-C:\r\nX-D:   \r\n")))
        #expect(head.headers["x-a"] == "spaced out")
        #expect(head.headers["X-B"] == "tight")
        #expect(head.headers["X-C"] == "")
        #expect(head.headers["X-D"] == "")
    }

    @Test func keepsOrderAndRepeatsOfFields() throws {
        let (head, _) = try #require(parsedHead(getRequest("/", "Cookie: a=1\r\nX: y\r\nCookie: b=2\r\n")))
        #expect(head.headers.values(for: "cookie") == ["a=1", "b=2"])
        #expect(head.headers.fields.map(\.name) == ["Host", "Cookie", "X", "Cookie"])
    }

    @Test func acceptsEveryTokenCharacterInNames() throws {
        let name = "!#$%&'*+-.^_`|~09azAZ"
        let (head, _) = try #require(parsedHead(getRequest("/", "\(name): v\r\n")))
        #expect(head.headers[name] == "v")
    }

    @Test func keepsInnerWhitespaceAndTabsInValues() throws {
        let (head, _) = try #require(parsedHead(getRequest("/", "X: a \t b\r\n")))
        #expect(head.headers["X"] == "a \t b")
    }

    @Test func decodesObsTextAsLossyUTF8() throws {
        var bytes = Array("GET / HTTP/1.1\r\nHost: h\r\nX-Utf8: caf".utf8) + [0xC3, 0xA9]
        bytes += Array("\r\nX-Latin1: caf".utf8) + [0xE9] + Array("\r\n\r\n".utf8)
        var parser = RequestParser()
        parser.append(bytes)
        guard case .request(let head, _)? = try parser.next() else { Issue.record("no request"); return }
        #expect(head.headers["X-Utf8"] == "café")
        #expect(head.headers["X-Latin1"] == "caf\u{FFFD}")
    }

    @Test func rejectsWhitespaceBetweenNameAndColon() {
        #expect(parseFailure(getRequest("/", "X-A : b\r\n")) == .badRequest("invalid header field name"))
        #expect(parseStatus(getRequest("/", "X-A\t: b\r\n")) == 400)
    }

    @Test(arguments: [": v", "X(A): v", "X/A: v", "X A: v", "no-colon", "X\u{7F}: v", "é: v", "[x]: v"])
    func rejectsInvalidFieldNames(line: String) {
        #expect(parseStatus(getRequest("/", "\(line)\r\n")) == 400)
    }

    @Test func rejectsObsoleteLineFolding() {
        #expect(parseFailure(getRequest("/", "X-A: one\r\n two\r\n")) == .badRequest("obsolete line folding"))
        #expect(parseFailure(getRequest("/", "X-A: one\r\n\ttwo\r\n")) == .badRequest("obsolete line folding"))
        #expect(parseFailure("GET / HTTP/1.1\r\n Host: h\r\n\r\n") == .badRequest("obsolete line folding"))
    }

    @Test func rejectsBareLFInHeaders() {
        #expect(parseFailure("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n") == .badRequest("bare LF"))
        #expect(parseFailure("GET / HTTP/1.1\r\nHost: h\r\n\n") == .badRequest("bare LF"))
        #expect(parseFailure("GET / HTTP/1.1\r\nHost: h\n\n") == .badRequest("bare LF"))
    }

    @Test(arguments: [UInt8(0x00), 0x01, 0x08, 0x0B, 0x0C, 0x0D, 0x1B, 0x1F, 0x7F])
    func rejectsControlCharactersInValues(byte: UInt8) {
        let bytes = Array("GET / HTTP/1.1\r\nHost: h\r\nX: a".utf8) + [byte] + Array("b\r\n\r\n".utf8)
        #expect(feed(bytes).error?.status == 400)
    }

    @Test func rejectsNulInName() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: h\r\nX".utf8) + [0] + Array(": b\r\n\r\n".utf8)
        #expect(feed(bytes).error == .badRequest("invalid header field name"))
    }

    @Test func requiresHostInHTTP11() {
        #expect(parseFailure("GET / HTTP/1.1\r\nX: y\r\n\r\n") == .badRequest("missing Host"))
    }

    @Test func rejectsDuplicateHost() {
        #expect(parseFailure(getRequest("/", "host: b\r\n")) == .badRequest("duplicate Host"))
        #expect(parseFailure("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n") == .badRequest("duplicate Host"))
    }

    @Test func acceptsEmptyHost() throws {
        let (head, _) = try #require(parsedHead("GET / HTTP/1.1\r\nHost:\r\n\r\n"))
        #expect(head.headers["Host"] == "")
    }
}
