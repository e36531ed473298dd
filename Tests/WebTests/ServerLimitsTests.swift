import Testing
import Web
import WebTesting

@Suite struct ServerLimitsTests {
    /// Small limits, so the tests send little.
    private func limited(_ configuration: inout ServerConfiguration) {
        configuration.limits = HTTPLimits(maxHeaderBytes: 1024, maxURIBytes: 256, maxBodyBytes: 1000, maxHeaderCount: 20)
    }

    /// Sends `bytes` on a new connection and returns the status the server answered with and
    /// whether it then closed the connection.
    private func answer(to bytes: [UInt8], limitsFrom configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> (Int?, Bool) {
        try await withLiveServer(quietApplication(echoRouter()), configure: configure) { live in
            let wire = try Wire.open(live)
            try await wire.send(bytes)
            let status = await wire.response()?.status
            return (status, await wire.isClosedByPeer())
        }
    }

    private func answer(to text: String, limitsFrom configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> (Int?, Bool) {
        try await answer(to: Array(text.utf8), limitsFrom: configure)
    }

    @Test func headerBlockOverLimitIs431AndCloses() async throws {
        let padding = String(repeating: "a", count: 1100)
        let (status, closed) = try await answer(to: rawGet("/", "X-Pad: \(padding)\r\n"), limitsFrom: limited)
        #expect(status == 431)
        #expect(closed)
    }

    @Test func tooManyHeaderFieldsIs431() async throws {
        let fields = (0..<30).map { "X-F\($0): v\r\n" }.joined()
        let (status, closed) = try await answer(to: rawGet("/", fields), limitsFrom: limited)
        #expect(status == 431)
        #expect(closed)
    }

    @Test func headerBlockExactlyAtTheLimitIsServed() async throws {
        let head = rawGet("/", "Connection: close\r\nX-Pad: \r\n")
        let padding = String(repeating: "a", count: 1024 - head.utf8.count)
        let (status, _) = try await answer(to: rawGet("/", "Connection: close\r\nX-Pad: \(padding)\r\n"), limitsFrom: limited)
        #expect(status == 200)
    }

    @Test func longURIIs414AndCloses() async throws {
        let (status, closed) = try await answer(to: rawGet("/path/" + String(repeating: "x", count: 300)), limitsFrom: limited)
        #expect(status == 414)
        #expect(closed)
    }

    @Test func declaredBodyOverLimitIs413WithoutWaitingForIt() async throws {
        let head = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\n"
        let (status, closed) = try await answer(to: head, limitsFrom: limited)
        #expect(status == 413)
        #expect(closed)
    }

    @Test func bodyOverLimitBehindExpectContinueGets413NotContinue() async throws {
        let head = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"
        let (status, closed) = try await answer(to: head, limitsFrom: limited)
        #expect(status == 413)
        #expect(closed)
    }

    @Test func chunkedBodyOverLimitIs413() async throws {
        let chunk = String(repeating: "z", count: 600)
        let request = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n"
        let (status, closed) = try await answer(to: request, limitsFrom: limited)
        #expect(status == 413)
        #expect(closed)
    }

    @Test func eagerlySentOversizedBodyStillGetsThe413() async throws {
        // The client sends everything before reading: the 413 must not be lost to a reset caused
        // by the unread rest of the body.
        let body = String(repeating: "b", count: 300_000)
        let (status, closed) = try await answer(to: rawRequest("POST", "/echo", body: body), limitsFrom: limited)
        #expect(status == 413)
        #expect(closed)
    }

    @Test func bodyAtTheLimitIsServed() async throws {
        let (status, _) = try await answer(to: rawRequest("POST", "/echo", body: String(repeating: "k", count: 1000), "Connection: close\r\n"),
                                           limitsFrom: limited)
        #expect(status == 200)
    }

    static let malformed: [(String, String)] = [
        ("garbage request line", "HELLO\r\n\r\n"),
        ("missing version", "GET /\r\nHost: test\r\n\r\n"),
        ("double space", "GET  / HTTP/1.1\r\nHost: test\r\n\r\n"),
        ("bad version", "GET / HTTP/1.x\r\nHost: test\r\n\r\n"),
        ("relative target", "GET path HTTP/1.1\r\nHost: test\r\n\r\n"),
        ("control byte in target", "GET /a\u{1}b HTTP/1.1\r\nHost: test\r\n\r\n"),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: test\r\nX-Long: a\r\n  continued\r\n\r\n"),
        ("space before colon", "GET / HTTP/1.1\r\nHost : test\r\n\r\n"),
        ("bare LF", "GET / HTTP/1.1\nHost: test\n\n"),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n"),
        ("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("CL and TE", "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("conflicting CL", "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
        ("conflicting CL list", "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3, 4\r\n\r\nabcd"),
        ("negative CL", "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: -1\r\n\r\n"),
        ("bad chunk size", "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
        ("chunk size with sign", "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n"),
        ("chunk data overrun", "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n"),
        ("chunked not last", "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked, identity\r\n\r\n"),
    ]

    @Test(arguments: malformed)
    func malformedRequestIs400AndCloses(name: String, request: String) async throws {
        let (status, closed) = try await answer(to: request)
        #expect(status == 400, "\(name)")
        #expect(closed, "\(name)")
    }

    @Test func unknownTransferCodingIs501() async throws {
        let (status, closed) = try await answer(to: "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
        #expect(status == 501)
        #expect(closed)
    }

    @Test func unsupportedVersionIs505() async throws {
        let (status, closed) = try await answer(to: "GET / HTTP/2.0\r\nHost: test\r\n\r\n")
        #expect(status == 505)
        #expect(closed)
    }

    @Test func badRequestEndsThePipeline() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let wire = try Wire.open(live)
            try await wire.send(rawGet("/path/ok") + "BROKEN\r\n\r\n" + rawGet("/path/never"))
            #expect(await wire.response()?.text == "/path/ok")
            #expect(await wire.response()?.status == 400)
            #expect(await wire.isClosedByPeer())
        }
    }

    @Test func protocolErrorsAreLoggedAndNotServed() async throws {
        let sink = LogSink.capturing()
        try await withLiveServer(quietApplication(echoRouter(), sink: sink)) { live in
            let wire = try Wire.open(live)
            try await wire.send("GET / HTTP/1.1\r\nHost: test\r\nX: a\r\n b\r\n\r\n")
            #expect(await wire.response()?.status == 400)
        }
        #expect(sink.lines.contains { $0.contains("status=400") && $0.contains("error=") })
    }

    @Test func rejectedConnectionsNeverDisturbTheirNeighbours() async throws {
        // A connection closed after a protocol error must never touch its descriptor again: the
        // number is reused at once by the next socket any thread opens.
        try await withLiveServer(quietApplication(echoRouter())) { live in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var ok = true
                        for round in 0..<25 {
                            let wire = try Wire.open(live)
                            if worker % 2 == 0 {
                                try? await wire.send("BROKEN\r\n\r\n")
                                let status = await wire.response()?.status
                                if status != 400 { ok = false }
                            } else {
                                let target = "/path/\(worker)-\(round)"
                                let text = try await wire.exchange(rawGet(target, "Connection: close\r\n"))?.text
                                if text != target { ok = false }
                            }
                        }
                        return ok
                    }
                }
                var outcomes: [Bool] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes == Array(repeating: true, count: 8))
        }
    }

    @Test func garbageOnManyConnectionsNeverTakesTheServerDown() async throws {
        try await withLiveServer(quietApplication(echoRouter())) { live in
            var generator = SystemRandomNumberGenerator()
            for round in 0..<8 {
                let wire = try Wire.open(live, timeout: 1)
                let length = [1, 17, 512, 4096, 20_000][round % 5]
                var junk = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if round % 2 == 1 { junk += Array("\r\n\r\n".utf8) }
                try? await wire.send(junk)
                wire.raw.shutdownWrite()
                _ = await wire.readAll()
            }
            // Random bytes that happen to start a plausible request line.
            let plausible = try Wire.open(live, timeout: 1)
            try? await plausible.send(Array("GET /".utf8) + (0..<300).map { _ in UInt8.random(in: 0...255) } + Array("\r\n\r\n".utf8))
            _ = await plausible.readAll()

            let wire = try Wire.open(live)
            let response = try #require(try await wire.exchange(rawGet("/")))
            #expect(response.status == 200)
            #expect(response.text == "hello")
        }
    }
}
