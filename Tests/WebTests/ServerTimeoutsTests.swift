import Runtime
import Testing
import Web
import WebTesting

@Suite struct ServerTimeoutsTests {
    /// Half-second request and idle timeouts, so each test waits about a second at most.
    private func short(_ configuration: inout ServerConfiguration) {
        configuration.requestTimeout = 0.5
        configuration.idleTimeout = 0.5
    }

    @Test func partialHeadGets408ThenClose() async throws {
        try await withLiveServer(quietApplication(echoRouter()), configure: short) { live in
            let wire = try Wire.open(live)
            try await wire.send("GET / HTTP/1.1\r\nHost: te")
            let response = try #require(await wire.response())
            #expect(response.status == 408)
            #expect(response.headers["Connection"] == "close")
            #expect(await wire.isClosedByPeer())
        }
    }

    @Test func partialBodyGets408ThenClose() async throws {
        try await withLiveServer(quietApplication(echoRouter()), configure: short) { live in
            let wire = try Wire.open(live)
            try await wire.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc")
            #expect(await wire.response()?.status == 408)
            #expect(await wire.isClosedByPeer())
        }
    }

    @Test func tricklingHeadIsCutOffEvenThoughBytesKeepComing() async throws {
        try await withLiveServer(quietApplication(echoRouter()), configure: short) { live in
            let wire = try Wire.open(live)
            // One byte at a time, never finishing: the limit runs from the first byte, so a
            // steady trickle cannot hold the connection open forever.
            for byte in "GET /path/slowloris".utf8.prefix(12) {
                guard (try? await wire.send([byte])) != nil else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await wire.response()?.status == 408)
        }
    }

    @Test func partialRequestBufferedBehindAnotherGets408() async throws {
        try await withLiveServer(quietApplication(echoRouter()), configure: {
            $0.requestTimeout = 0.5
            $0.idleTimeout = 10
        }) { live in
            let wire = try Wire.open(live)
            // The second request's first bytes arrive with the first request and nothing follows:
            // its clock starts when it is found waiting, not at some later read that never comes.
            try await wire.send(rawGet("/path/1") + "GET /path/2 HTTP/1.1\r\nHo")
            #expect(await wire.response()?.text == "/path/1")
            #expect(await wire.response()?.status == 408)
            #expect(await wire.isClosedByPeer())
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        try await withLiveServer(quietApplication(echoRouter()), configure: short) { live in
            let wire = try Wire.open(live)
            #expect(try await wire.exchange(rawGet("/"))?.status == 200)
            #expect(await wire.isClosedByPeer())
            #expect(await wire.readAll().isEmpty)
        }
    }

    @Test func silentNewConnectionIsClosedWithoutAResponse() async throws {
        try await withLiveServer(quietApplication(echoRouter()), configure: short) { live in
            let wire = try Wire.open(live)
            #expect(await wire.isClosedByPeer())
            #expect(await wire.readAll().isEmpty)
        }
    }

    @Test func slowHandlerIsNotCutOffByTheRequestTimeout() async throws {
        let inFlight = Beacon()
        let latch = Latch(cap: 60)
        let router = echoRouter()
        router.get("/slow") { _, _ in
            inFlight.fire()
            try await blocking { latch.wait() }
            return "finished"
        }
        try await withLiveServer(quietApplication(router), configure: short) { live in
            let wire = try Wire.open(live)
            try await wire.send(rawGet("/slow"))
            await inFlight.next()
            // Well past both timeouts: the connection is waiting on us, not on the client.
            try await Task.sleep(for: .milliseconds(1200))
            latch.open()
            let response = try #require(await wire.response())
            #expect(response.status == 200)
            #expect(response.text == "finished")
        }
    }
}
