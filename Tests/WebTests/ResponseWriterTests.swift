import Testing
@testable import Web

@Suite struct ResponseWriterTests {
    private let date = Array("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8)

    /// The bytes written for `response`, as text.
    private func written(_ response: Response, keepAlive: Bool = true, omitBody: Bool = false) -> String {
        var out: [UInt8] = []
        ResponseWriter.write(response, into: &out, date: date, keepAlive: keepAlive, omitBody: omitBody)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func writesStatusDateLengthHeadersAndBody() {
        let response = Response(status: .ok, headers: ["Content-Type": "text/plain"], body: Array("hello".utf8))
        #expect(written(response) == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 5\r\n"
            + "Content-Type: text/plain\r\n\r\nhello")
    }

    @Test func closingConnectionSaysSo() {
        #expect(written(Response(status: .notFound), keepAlive: false)
            == "HTTP/1.1 404 Not Found\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test func http10PeerIsToldTheConnectionStaysOpen() {
        var kept: [UInt8] = []
        ResponseWriter.write(Response(status: .ok), into: &kept, date: date, keepAlive: true, http10: true, omitBody: false)
        #expect(String(decoding: kept, as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
        var closed: [UInt8] = []
        ResponseWriter.write(Response(status: .ok), into: &closed, date: date, keepAlive: false, http10: true, omitBody: false)
        #expect(String(decoding: closed, as: UTF8.self).contains("\r\nConnection: close\r\n"))
    }

    @Test func headKeepsTheLengthButOmitsTheBody() {
        let response = Response(status: .ok, body: Array(repeating: 0x41, count: 1234))
        #expect(written(response, omitBody: true)
            == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 1234\r\n\r\n")
    }

    @Test(arguments: [HTTPStatus.noContent, .notModified])
    func statusesWithoutBodyHaveNoLengthAndNoBody(status: HTTPStatus) {
        let response = Response(status: status, headers: ["ETag": "\"x\""], body: Array("ignored".utf8))
        #expect(written(response) == "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nETag: \"x\"\r\n\r\n")
    }

    @Test func handlerCannotOverrideLengthOrConnection() {
        let response = Response(status: .ok, headers: ["content-length": "999", "CONNECTION": "keep-alive", "X-Ok": "1"], body: [0x61])
        #expect(written(response, keepAlive: false)
            == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 1\r\nConnection: close\r\nX-Ok: 1\r\n\r\na")
    }

    @Test func headerWithLineBreakOrNulIsDropped() {
        let response = Response(status: .ok, headers: HTTPHeaders([
            ("Location", "/next\r\nSet-Cookie: evil=1"),
            ("X-Name\r\nInjected", "v"),
            ("X-Nul", "a\u{0}b"),
            ("X-Safe", "kept"),
        ]))
        let text = written(response)
        #expect(!text.contains("evil"))
        #expect(!text.contains("Injected"))
        #expect(!text.contains("X-Nul"))
        #expect(text.hasSuffix("Content-Length: 0\r\nX-Safe: kept\r\n\r\n"))
    }

    @Test func repeatedHeadersStayOnSeparateLinesInOrder() {
        var response = Response(status: .ok)
        response.headers.add("Set-Cookie", "a=1")
        response.headers.add("Set-Cookie", "b=2")
        #expect(written(response).hasSuffix("Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n"))
    }

    @Test(arguments: [(0, "0"), (7, "7"), (10, "10"), (99, "99"), (100, "100"), (65_536, "65536"), (1_048_577, "1048577")])
    func contentLengthIsWrittenInDecimal(length: Int, text: String) {
        let response = Response(status: .ok, body: Array(repeating: 0, count: length))
        #expect(written(response, omitBody: true).contains("\r\nContent-Length: \(text)\r\n"))
    }

    @Test func uncommonStatusGetsALineToo() {
        #expect(written(Response(status: 418)).hasPrefix("HTTP/1.1 418 Unknown\r\n"))
        #expect(written(Response(status: .versionNotSupported)).hasPrefix("HTTP/1.1 505 HTTP Version Not Supported\r\n"))
        #expect(written(Response(status: 504)).hasPrefix("HTTP/1.1 504 Gateway Timeout\r\n"))
    }

    @Test func pipelinedResponsesAppendToTheSameBuffer() {
        var out: [UInt8] = []
        ResponseWriter.write(Response(status: .ok, body: [0x31]), into: &out, date: date, keepAlive: true, omitBody: false)
        ResponseWriter.write(Response(status: .created, body: [0x32]), into: &out, date: date, keepAlive: false, omitBody: false)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 1\r\n\r\n1"
            + "HTTP/1.1 201 Created\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 1\r\nConnection: close\r\n\r\n2")
    }

    @Test func bodyBytesAreCopiedVerbatim() {
        let body: [UInt8] = [0, 13, 10, 255, 128, 0x48]
        var out: [UInt8] = []
        ResponseWriter.write(Response(status: .ok, body: body), into: &out, date: date, keepAlive: true, omitBody: false)
        #expect(Array(out.suffix(body.count + 4)) == [13, 10, 13, 10] + body)
    }
}
