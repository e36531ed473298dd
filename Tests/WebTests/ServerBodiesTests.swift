import Testing
import Web
import WebTesting

@Suite struct ServerBodiesTests {
    @Test func contentLengthBodyArrivesWhole() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let response = try #require(try await wire.exchange(rawRequest("POST", "/echo", body: "name=ada&x=1")))
            #expect(response.status == 200)
            #expect(response.text == "name=ada&x=1")
        }
    }

    @Test func binaryBodyIsPassedThroughUntouched() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let body = (0...255).map(UInt8.init) + [13, 10, 13, 10, 0]
            try await wire.send(Array("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            #expect(await wire.response()?.body == body)
        }
    }

    @Test func chunkedBodyIsDechunked() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let request = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
            let response = try #require(try await wire.exchange(request))
            #expect(response.status == 200)
            #expect(response.text == "hello 0123456789")
        }
    }

    @Test func chunkedBodyMayTrickleIn() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            try await wire.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n")
            for piece in ["3\r\n", "ab", "c\r\n", "4\r", "\nwxyz", "\r\n0\r\n", "\r\n"] {
                try await wire.send(piece)
            }
            #expect(await wire.response()?.text == "abcwxyz")
        }
    }

    @Test func expectContinueGetsInterimResponseBeforeTheBody() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            try await wire.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = try #require(await wire.response())
            #expect(interim.status == 100)
            try await wire.send("hello")
            let final = try #require(await wire.response())
            #expect(final.status == 200)
            #expect(final.text == "hello")
        }
    }

    @Test func expectContinueWorksForChunkedBodies() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            try await wire.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
            #expect(await wire.response()?.status == 100)
            try await wire.send("2\r\nok\r\n0\r\n\r\n")
            #expect(await wire.response()?.text == "ok")
        }
    }

    @Test func expectContinueWithoutBodyGetsNoInterimResponse() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let response = try #require(try await wire.exchange(rawGet("/", "Expect: 100-continue\r\n")))
            #expect(response.status == 200)
            #expect(response.text == "hello")
        }
    }

    @Test func largeBodyInAndOutSurvivesFullSocketBuffers() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let body = (0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try await wire.send(Array("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let response = try #require(await wire.response())
            #expect(response.status == 200)
            #expect(response.body.count == body.count)
            #expect(response.body == body)
            // The connection is still in step after a response that took many writes.
            #expect(try await wire.exchange(rawGet("/"))?.text == "hello")
        }
    }

    @Test func getWithoutBodyFramingHasAnEmptyBody() async throws {
        let router = echoRouter()
        router.get("/size") { request, _ in "\(request.body.count)" }
        try await withLiveServer(quietApplication(router)) { live in
            let wire = try Wire.open(live)
            #expect(try await wire.exchange(rawGet("/size"))?.text == "0")
            #expect(try await wire.exchange(rawRequest("GET", "/size", body: "abc"))?.text == "3")
        }
    }
}
