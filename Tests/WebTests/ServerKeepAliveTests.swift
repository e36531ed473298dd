import Testing
import Web
import WebTesting

@Suite struct ServerKeepAliveTests {
    @Test func severalRequestsShareOneConnection() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            for index in 1...5 {
                let response = try #require(try await wire.exchange(rawGet("/path/\(index)")))
                #expect(response.status == 200)
                #expect(response.text == "/path/\(index)")
                #expect(response.headers["Connection"] == nil)
            }
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let response = try #require(try await wire.exchange(rawGet("/", "Connection: close\r\n")))
            #expect(response.status == 200)
            #expect(response.headers["Connection"] == "close")
            #expect(await wire.isClosedByPeer())
        }
    }

    @Test func http10ClosesByDefault() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let response = try #require(try await wire.exchange("GET / HTTP/1.0\r\n\r\n"))
            #expect(response.status == 200)
            #expect(response.text == "hello")
            #expect(response.headers["Connection"] == "close")
            #expect(await wire.isClosedByPeer())
        }
    }

    @Test func http10KeepAliveStaysOpen() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let first = try #require(try await wire.exchange("GET /path/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
            #expect(first.text == "/path/a")
            // HTTP/1.0 clients assume close unless told otherwise.
            #expect(first.headers["Connection"] == "keep-alive")
            let second = try #require(try await wire.exchange("GET /path/b HTTP/1.0\r\n\r\n"))
            #expect(second.text == "/path/b")
            #expect(await wire.isClosedByPeer())
        }
    }

    @Test func everyResponseHasDateAndContentLength() async throws {
        let router = echoRouter()
        router.get("/fail") { _, _ -> String in throw HTTPError(.conflict) }
        try await withLiveServer(quietApplication(router)) { live in
            let wire = try Wire.open(live)
            for target in ["/", "/missing", "/fail", "/path/x?y=1"] {
                let response = try #require(try await wire.exchange(rawGet(target)))
                let date = try #require(response.headers["Date"], "\(target) has no Date")
                #expect(HTTPDate.parse(date) != nil)
                #expect(response.headers["Content-Length"] == "\(response.body.count)", "\(target)")
            }
            let post = try #require(try await wire.exchange(rawRequest("POST", "/echo", body: "")))
            #expect(post.headers["Content-Length"] == "0")
            #expect(post.headers["Date"] != nil)
        }
    }

    @Test func headOverTheWireSendsLengthButNoBody() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let head = try #require(try await wire.exchange("HEAD /path/abc HTTP/1.1\r\nHost: test\r\n\r\n", head: true))
            #expect(head.status == 200)
            #expect(head.headers["Content-Length"] == "9")
            #expect(head.headers["Content-Type"] == "text/plain; charset=utf-8")
            // A body after the HEAD response would be read as the start of this one.
            let next = try #require(try await wire.exchange(rawGet("/")))
            #expect(next.status == 200)
            #expect(next.text == "hello")
        }
    }

    @Test func errorResponsesKeepTheConnectionOpen() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            #expect(try await wire.exchange(rawGet("/missing"))?.status == 404)
            #expect(try await wire.exchange(rawRequest("PUT", "/echo", body: "x"))?.status == 405)
            #expect(try await wire.exchange(rawGet("/"))?.text == "hello")
        }
    }

    @Test func clientHalfCloseStillGetsItsAnswer() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            try await wire.send(rawGet("/path/last"))
            wire.raw.shutdownWrite()
            let response = try #require(await wire.response())
            #expect(response.text == "/path/last")
            #expect(await wire.isClosedByPeer())
        }
    }
}
