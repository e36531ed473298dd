import Foundation
import Testing
import Web
import WebTesting

/// Issue 13: `MAX_CONNECTIONS` caps open connections across the loops; past it the server stops
/// accepting (the connection waits in the backlog, nothing spins) and takes it on once another
/// closes, logging the pause once, not once per wake-up.
@Suite struct ServerConnectionCapTests {
    @Test func pastTheCapConnectionsWaitAndAreServedWhenOthersClose() async throws {
        let sink = LogSink.capturing()
        try await withLiveServer(quietApplication(echoRouter(), sink: sink), configure: { $0.maxConnections = 2 }) { live in
            var first: RawConnection? = try live.connect()
            let second = try live.connect()
            while live.server.connectionCount < 2 { try await Task.sleep(nanoseconds: 5_000_000) }
            let third = try live.connect()
            try third.send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            // Give the acceptor every chance to take it: it must not, while two are open.
            for _ in 0..<40 { try await Task.sleep(nanoseconds: 10_000_000) }
            #expect(live.server.connectionCount == 2)
            let paused = sink.lines.filter { $0.contains("accept_paused") }
            #expect(paused.count >= 1 && paused.count <= 2, "logged once, not per wake-up: \(paused.count)")
            #expect(paused.first?.contains("reason=max_connections") == true)
            first = nil  // closing one frees a place
            #expect(first == nil)
            let reply = try await onThread { third.readResponse() }
            #expect(reply?.status == 200, "served once a place freed up")
            withExtendedLifetime(second) {}
        }
    }
}
