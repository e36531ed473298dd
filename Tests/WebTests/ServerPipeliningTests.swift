import Runtime
import Testing
import Web
import WebTesting

@Suite struct ServerPipeliningTests {
    @Test func threeRequestsInOneWriteAreAnsweredInOrder() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            try await wire.send(rawGet("/path/1") + rawGet("/path/2") + rawGet("/path/3"))
            for index in 1...3 {
                let response = try #require(await wire.response())
                #expect(response.text == "/path/\(index)")
            }
        }
    }

    @Test func pipelinedBodiesAreFramedCorrectly() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let chunked = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
            try await wire.send(rawRequest("POST", "/echo", body: "first") + chunked + rawGet("/path/after")
                + rawRequest("POST", "/echo", body: "GET /smuggled HTTP/1.1\r\n\r\n"))
            #expect(await wire.response()?.text == "first")
            #expect(await wire.response()?.text == "abcde")
            #expect(await wire.response()?.text == "/path/after")
            #expect(await wire.response()?.text == "GET /smuggled HTTP/1.1\r\n\r\n")
        }
    }

    @Test func slowFirstRequestDoesNotLetLaterAnswersOvertakeIt() async throws {
        let inFlight = Beacon()
        let latch = Latch()
        let router = echoRouter()
        router.get("/slow") { _, _ in
            inFlight.fire()
            try await blocking { latch.wait() }
            return "slow"
        }
        try await withLiveServer(quietApplication(router)) { live in
            let wire = try Wire.open(live)
            try await wire.send(rawGet("/slow") + rawGet("/path/fast"))
            await inFlight.next()
            latch.open()
            #expect(await wire.response()?.text == "slow")
            #expect(await wire.response()?.text == "/path/fast")
        }
    }

    @Test func pipelineEndingInCloseAnswersEverythingBeforeClosing() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            try await wire.send(rawGet("/path/a") + "HEAD /path/b HTTP/1.1\r\nHost: test\r\n\r\n"
                + rawGet("/path/c", "Connection: close\r\n") + rawGet("/path/ignored"))
            #expect(await wire.response()?.text == "/path/a")
            let head = try #require(await wire.response(head: true))
            #expect(head.headers["Content-Length"] == "7")
            let last = try #require(await wire.response())
            #expect(last.text == "/path/c")
            #expect(last.headers["Connection"] == "close")
            #expect(await wire.readAll().isEmpty)
        }
    }

    @Test func clientThatDoesNotReadPausesThePipeline() async throws {
        let served = Counter()
        let body = [UInt8](repeating: 0x2E, count: 2 << 20)
        let router = echoRouter()
        router.get("/big/:n") { _, _ in
            served.increment()
            return Response(status: .ok, body: body)
        }
        try await withLiveServer(quietApplication(router)) { live in
            let wire = try Wire.open(live)
            try await wire.send((0..<30).map { rawGet("/big/\($0)") }.joined())
            // Without reading, only as many responses as the socket buffers hold get produced
            // (a handful); queueing all thirty would let 1 KB of requests pin 60 MB of memory.
            try await Task.sleep(for: .milliseconds(500))
            #expect(served.value < 20)
            for _ in 0..<30 {
                #expect(await wire.response()?.body.count == body.count)
            }
            #expect(served.value == 30)
        }
    }

    @Test func requestSplitAcrossManyWritesIsReassembled() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            let bytes = Array((rawGet("/path/split") + rawRequest("POST", "/echo", body: "payload")).utf8)
            for start in stride(from: 0, to: bytes.count, by: 7) {
                try await wire.send(Array(bytes[start..<min(start + 7, bytes.count)]))
            }
            #expect(await wire.response()?.text == "/path/split")
            #expect(await wire.response()?.text == "payload")
        }
    }
}
