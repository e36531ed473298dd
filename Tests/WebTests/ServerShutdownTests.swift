import Runtime
import Testing
import Web
import WebTesting

@Suite struct ServerShutdownTests {
    /// Whether a new TCP connection to `port` is refused.
    private func refuses(_ port: Int) -> Bool {
        (try? RawConnection(port: port, timeout: 1)) == nil
    }

    @Test func drainFinishesInFlightRequestClosesIdleOnesAndRefusesNewOnes() async throws {
        let inFlight = Beacon()
        let latch = Latch(cap: 60)
        let finished = Flag()
        let router = echoRouter()
        router.get("/slow") { _, _ in
            inFlight.fire()
            try await blocking { latch.wait() }
            finished.set()
            return String(repeating: "s", count: 10_000)
        }
        // One loop, so the idle connection and the slow one are drained by the same thread.
        let live = try LiveServer.start(quietApplication(router)) {
            $0.eventLoops = 1
            $0.shutdownGracePeriod = 5
        }
        let port = live.port

        let idle = try Wire.open(live)
        #expect(try await idle.exchange(rawGet("/"))?.status == 200)
        let slow = try Wire.open(live)
        try await slow.send(rawGet("/slow"))
        await inFlight.next()

        live.server.shutdown()
        #expect(await idle.isClosedByPeer())
        #expect(refuses(port))
        #expect(!finished.isSet)

        latch.open()
        let response = try #require(await slow.response())
        #expect(response.status == 200)
        #expect(response.body.count == 10_000)
        #expect(response.headers["Connection"] == "close")
        #expect(await slow.isClosedByPeer())
        await live.server.waitUntilStopped()
    }

    @Test func sleepingHandlerStillAnswersDuringDrain() async throws {
        let inFlight = Beacon()
        let router = echoRouter()
        router.get("/nap") { _, _ in
            inFlight.fire()
            try await Task.sleep(for: .milliseconds(300))
            return "rested"
        }
        let live = try LiveServer.start(quietApplication(router)) { $0.shutdownGracePeriod = 5 }
        let wire = try Wire.open(live)
        try await wire.send(rawGet("/nap"))
        await inFlight.next()
        live.server.shutdown()
        let response = try #require(await wire.response())
        #expect(response.status == 200)
        #expect(response.text == "rested")
        await live.server.waitUntilStopped()
        #expect(refuses(live.port))
    }

    @Test func idleServerStopsAtOnce() async throws {
        let live = try LiveServer.start(quietApplication(echoRouter())) { $0.shutdownGracePeriod = 5 }
        let port = live.port
        let wire = try Wire.open(live)
        #expect(try await wire.exchange(rawGet("/"))?.status == 200)
        live.server.shutdown()
        live.server.shutdown()
        await live.server.waitUntilStopped()
        #expect(await wire.isClosedByPeer())
        #expect(refuses(port))
        // Waiting again after the stop returns straight away.
        await live.server.waitUntilStopped()
    }

    @Test func drainClosesAKeepAliveConnectionOnceItsLastResponseIsWritten() async throws {
        let size = 24 << 20
        let router = echoRouter()
        router.get("/big") { _, _ in Response(status: .ok, body: Array(repeating: 0x62, count: size)) }
        let live = try LiveServer.start(quietApplication(router)) {
            $0.idleTimeout = 30
            $0.shutdownGracePeriod = 30
        }
        let wire = try Wire.open(live)
        try await wire.send(rawGet("/big"))
        // The head has arrived, so the response was queued as keep-alive before the drain began;
        // most of its body cannot fit in the socket buffers until we read.
        let head = try #require(await wire.response(head: true))
        #expect(head.headers["Connection"] == nil)
        live.server.shutdown()
        let rest = await wire.readAll()
        #expect(rest.count == size)
        #expect(await wire.isClosedByPeer())
        await live.server.waitUntilStopped()
    }

    @Test func gracePeriodEndsRequestsThatNeverFinish() async throws {
        let inFlight = Beacon()
        let latch = Latch(cap: 60)
        let finished = Flag()
        let router = echoRouter()
        router.get("/stuck") { _, _ in
            inFlight.fire()
            try await blocking { latch.wait() }
            finished.set()
            return "too late"
        }
        let live = try LiveServer.start(quietApplication(router)) { $0.shutdownGracePeriod = 0.3 }
        let wire = try Wire.open(live)
        try await wire.send(rawGet("/stuck"))
        await inFlight.next()
        live.server.shutdown()
        await live.server.waitUntilStopped()
        #expect(!finished.isSet)
        #expect(await wire.readAll().isEmpty)
        latch.open()
    }

    @Test func halfSentRequestDoesNotHoldTheDrainForever() async throws {
        let live = try LiveServer.start(quietApplication(echoRouter())) {
            $0.requestTimeout = 0.5
            $0.shutdownGracePeriod = 30
        }
        let wire = try Wire.open(live)
        // The answer to the first request proves the half-sent second one has been read too.
        try await wire.send(rawGet("/path/first") + "GET / HTTP/1.1\r\nHo")
        #expect(await wire.response()?.text == "/path/first")
        live.server.shutdown()
        // The request timeout, not the 30 s grace period, ends this connection.
        #expect(await wire.response()?.status == 408)
        await live.server.waitUntilStopped()
    }
}
