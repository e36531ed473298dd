import Runtime
import Testing
import Web
import WebTesting

@Suite struct ServerBlockingTests {
    /// `/slow/:n` blocks a worker thread until the test opens the latch (the cap only keeps a failing
    /// test from hanging; on a loaded CI machine it must be generous).
    private func router(inFlight: Beacon, latch: Latch, finished: Flag) -> Router {
        let router = echoRouter()
        router.get("/slow/:n") { _, context in
            inFlight.fire()
            try await blocking { latch.wait() }
            finished.set()
            return "slow \(context.parameters["n"] ?? "")"
        }
        return router
    }

    @Test func blockedWorkerNeverStallsTheOnlyEventLoop() async throws {
        let inFlight = Beacon()
        let latch = Latch(cap: 60)
        let finished = Flag()
        let application = quietApplication(router(inFlight: inFlight, latch: latch, finished: finished))
        try await withLiveServer(application, configure: { $0.eventLoops = 1 }) { live in
            let slow = try Wire.open(live)
            try await slow.send(rawGet("/slow/1"))
            await inFlight.next()

            var answered = 0
            for index in 0..<20 {
                let wire = try Wire.open(live)
                let response = try await wire.exchange(rawGet("/path/\(index)", "Connection: close\r\n"))
                if response?.text == "/path/\(index)" { answered += 1 }
            }
            #expect(answered == 20)
            // All twenty were served while the slow request was still blocked on its worker.
            #expect(!finished.isSet)

            latch.open()
            let response = try #require(await slow.response())
            #expect(response.status == 200)
            #expect(response.text == "slow 1")
        }
    }

    @Test func severalBlockedHandlersAndFastRequestsShareOneLoop() async throws {
        let inFlight = Beacon()
        let latch = Latch(cap: 60)
        let finished = Flag()
        let application = quietApplication(router(inFlight: inFlight, latch: latch, finished: finished))
        try await withLiveServer(application, configure: { $0.eventLoops = 1 }) { live in
            var slow: [Wire] = []
            for index in 0..<4 {
                let wire = try Wire.open(live)
                try await wire.send(rawGet("/slow/\(index)"))
                await inFlight.next()
                slow.append(wire)
            }
            // Fast requests pipelined on one keep-alive connection, also served meanwhile.
            let fast = try Wire.open(live)
            try await fast.send((0..<5).map { rawGet("/path/\($0)") }.joined())
            for index in 0..<5 {
                #expect(await fast.response()?.text == "/path/\(index)")
            }
            #expect(!finished.isSet)

            for _ in slow { latch.open() }
            for (index, wire) in slow.enumerated() {
                #expect(await wire.response()?.text == "slow \(index)")
            }
        }
    }

    @Test func concurrentClientsAreAllAnswered() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let texts = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let wire = try Wire.open(live)
                        var last: String?
                        for round in 0..<3 {
                            last = try await wire.exchange(rawGet("/path/\(index)-\(round)"))?.text
                        }
                        return last
                    }
                }
                var texts: [String?] = []
                for try await text in group { texts.append(text) }
                return texts
            }
            #expect(Set(texts.compactMap { $0 }) == Set((0..<16).map { "/path/\($0)-2" }))
        }
    }
}
