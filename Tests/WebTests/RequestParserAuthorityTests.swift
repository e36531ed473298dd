import Testing
import Web

/// The Host field and an absolute-form target's authority must be `host[:port]` (RFC 9110 §7.2,
/// RFC 3986 §3.2); found by the smuggling corpus, which used to get 200 for these.
@Suite struct RequestParserAuthorityTests {
    @Test(arguments: [
        "example.com", "example.com:8080", "EXAMPLE.com:", "127.0.0.1:80", "[::1]", "[::1]:8443",
        "[v1.fe80::a+en1]", "xn--bcher-kva.example", "my_host.local", "a%2Db.example", "",
    ])
    func acceptsHostThatIsHostAndPort(host: String) {
        #expect(parseFailure("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n") == nil, "\(host)")
    }

    @Test(arguments: [
        "corpus/evil", "user@corpus", "cor pus", "corpus:8o", "corpus#x", "corpus?x", "a:1:2",
        "[::1", "[::1]x", "[::1/]", "a%2", "a%zz", "<script>", "\"quoted\"", "a\\b", "é.example",
    ])
    func rejectsHostThatIsNotHostAndPort(host: String) {
        #expect(parseFailure("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n") == .badRequest("invalid Host"), "\(host)")
    }

    @Test func rejectsInvalidHostEvenInHTTP10() {
        #expect(parseStatus("GET / HTTP/1.0\r\nHost: a/b\r\n\r\n") == 400)
    }

    @Test(arguments: ["http://corpus#.evil/", "http://cor<pus>/", "http://corpus:8o/", "http://[::1/",
                      "http://user@corpus/", "http://a:b@corpus/", "http:///", "http://?x"])
    func rejectsAbsoluteFormWithInvalidAuthority(target: String) {
        #expect(parseFailure("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n") == .badRequest("invalid authority in request target"),
                "\(target)")
    }

    @Test func absoluteFormAuthorityWithPortAndIPv6IsKept() throws {
        let (head, _) = try #require(parsedHead("GET http://[::1]:8080/x HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(head.target == "/x")
        #expect(head.headers["Host"] == "[::1]:8080")
    }
}
