import Testing
import Web

/// Pipelining, arbitrary splits of the input, and robustness against garbage.
struct RequestParserStreamingTests {
    /// Several requests of every framing kind back to back, as a pipelining client sends them.
    static let pipelined = "GET /one HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n"
        + "POST /two?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
        + "\r\n"
        + "PUT http://h/three HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "4;ext=\"v\"\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: t\r\n\r\n"
        + "GET /four HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        + "DELETE /five HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"

    static let expected: [SeenEvent] = [
        .request(method: "GET", target: "/one", version: "1.1", headers: ["Host: h", "Accept: */*"], keepAlive: true, body: ""),
        .request(method: "POST", target: "/two?x=1", version: "1.1", headers: ["Host: h", "Content-Length: 5"], keepAlive: true, body: "hello"),
        .request(method: "PUT", target: "/three", version: "1.1", headers: ["Host: h", "Transfer-Encoding: chunked"], keepAlive: true, body: "wikipedia"),
        .request(method: "GET", target: "/four", version: "1.0", headers: ["Connection: keep-alive"], keepAlive: true, body: ""),
        .request(method: "DELETE", target: "/five", version: "1.1", headers: ["Host: h", "Connection: close"], keepAlive: false, body: ""),
    ]

    @Test func emitsPipelinedRequestsInOrder() {
        #expect(feed(Self.pipelined) == ParseOutcome(events: Self.expected))
    }

    @Test func parsesIdenticallyWhenSplitAtEveryPosition() {
        let bytes = Array(Self.pipelined.utf8)
        for split in 1..<bytes.count {
            var parser = RequestParser()
            var events: [SeenEvent] = []
            for piece in [bytes[..<split], bytes[split...]] {
                parser.append(Array(piece))
                while let event = try? parser.next() { events.append(SeenEvent(event)) }
            }
            #expect(events == Self.expected, "split at \(split)")
        }
    }

    @Test func parsesIdenticallyWhenFedOneByteAtATime() {
        #expect(feed(Self.pipelined, pieceSize: 1) == ParseOutcome(events: Self.expected))
        #expect(feed(Self.pipelined, pieceSize: 7) == ParseOutcome(events: Self.expected))
    }

    @Test func reportsErrorIdenticallyWhateverTheSplit() {
        let text = getRequest("/ok") + "GET /bad HTTP/1.1\r\nHost: h\r\nX: a\nb\r\n\r\n"
        let whole = feed(text)
        #expect(whole.events.count == 1)
        #expect(whole.error == .badRequest("bare LF"))
        for size in 1...5 { #expect(feed(text, pieceSize: size) == whole) }
    }

    @Test func acceptsRawBufferAppends() throws {
        var parser = RequestParser()
        let bytes = Array(getRequest("/raw").utf8)
        bytes.withUnsafeBytes { parser.append($0) }
        guard case .request(let head, _)? = try parser.next() else { Issue.record("no request"); return }
        #expect(head.target == "/raw")
    }

    @Test func survivesManyRequestsOnOneConnection() throws {
        var parser = RequestParser()
        let one = Array("POST /n HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc".utf8)
        var count = 0
        for _ in 0..<2000 {
            parser.append(one + one)
            while let event = try parser.next() {
                guard case .request(_, let body) = event, body == Array("abc".utf8) else { Issue.record("bad event"); return }
                count += 1
            }
        }
        #expect(count == 4000)
        #expect(!parser.isMidRequest)
    }

    /// A tiny xorshift generator, so the garbage is the same on every run.
    struct XorShift {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func byte(from alphabet: [UInt8]) -> UInt8 { alphabet[Int(next() % UInt64(alphabet.count))] }
    }

    @Test func randomBytesNeverCrashAndParseTheSameWhateverTheSplit() {
        var random = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        let allBytes = (0...255).map(UInt8.init)
        // Mostly protocol characters, so the garbage reaches deeper states than the request line.
        let protocolish = Array("GET POST / HTTP/1.1\r\n\r\nHost: h:Content-Length: 5Transfer-Encoding: chunked;=\"\\ \t0123456789abcdef".utf8)
        let prefix = Array("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let limits = HTTPLimits(maxHeaderBytes: 256, maxURIBytes: 64, maxBodyBytes: 128, maxHeaderCount: 8)
        for round in 0..<3000 {
            let length = Int(random.next() % 200)
            let alphabet = round % 2 == 0 ? allBytes : protocolish
            var bytes = (0..<length).map { _ in random.byte(from: alphabet) }
            if round % 3 == 0 { bytes = prefix + bytes }
            let pieceSize = Int(random.next() % 16) + 1
            let outcome = feed(bytes, pieceSize: pieceSize, limits: limits)
            #expect(feed(bytes, limits: limits).withoutContinue == outcome.withoutContinue)
        }
    }

    @Test func randomRequestFragmentsParseTheSameWhateverTheSplit() {
        var random = XorShift(state: 0xD1B5_4A32_D192_ED03)
        let fragments = [
            "GET / HTTP/1.1\r\n", "POST /x HTTP/1.1\r\n", "GET http://h/a?b HTTP/1.1\r\n", "OPTIONS * HTTP/1.0\r\n",
            "Host: h\r\n", "Content-Length: 3\r\n", "Content-Length: 3, 3\r\n", "Transfer-Encoding: chunked\r\n",
            "Transfer-Encoding: gzip, chunked\r\n", "Expect: 100-continue\r\n", "Connection: close\r\n", "X: y\r\n",
            "\r\n", "abc", "3\r\nabc\r\n", "3;a=\"b\"\r\nabc\r\n", "0\r\n", "T: v\r\n", "a\r\n0123456789\r\n",
            " ", "\r", "\n", "\t", "GET /", "HTTP/1.1", "HTTP/2.0",
        ].map { Array($0.utf8) }
        let limits = HTTPLimits(maxHeaderBytes: 256, maxURIBytes: 64, maxBodyBytes: 128, maxHeaderCount: 8)
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<random.next() % 30 { bytes += fragments[Int(random.next() % UInt64(fragments.count))] }
            if !bytes.isEmpty && random.next() % 3 == 0 {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            let whole = feed(bytes, limits: limits).withoutContinue
            #expect(feed(bytes, pieceSize: 1, limits: limits).withoutContinue == whole)
            #expect(feed(bytes, pieceSize: Int(random.next() % 16) + 2, limits: limits).withoutContinue == whole)
        }
    }
}

extension ParseOutcome {
    /// The outcome minus 100-continue events, which by design depend on how the bytes were split.
    var withoutContinue: ParseOutcome {
        ParseOutcome(events: events.filter { if case .expectsContinue = $0 { false } else { true } }, error: error)
    }
}
