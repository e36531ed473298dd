import Testing
import Foundation
import Web

@Suite struct HTTPClientFailureTests {
    @Test func slowServerTimesOut() async throws {
        let server = try CannedServer { _ in .delayed(seconds: 3, CannedReply.responseBytes(body: [1])) }
        defer { server.stop() }
        let impatient = CurlHTTPClient(totalTimeout: 0.5)
        await #expect(throws: ClientError.timedOut) { try await impatient.send(.get(server.baseURL + "/")) }
    }

    @Test func refusedConnectionIsConnectionFailed() async throws {
        let closed = try CannedServer.refusingPort()
        defer { close(closed.fd) }
        await #expect { try await CurlHTTPClient().send(.get("http://127.0.0.1:\(closed.port)/")) } throws: { error in
            if case ClientError.connectionFailed = error { return true }
            return false
        }
    }

    @Test func garbageReplyIsATransportError() async throws {
        let server = try CannedServer { _ in .bytes(Array("\u{1}\u{2}not http at all\r\n\r\n".utf8)) }
        defer { server.stop() }
        await #expect { try await CurlHTTPClient().send(.get(server.baseURL + "/")) } throws: { error in
            if case ClientError.transport = error { return true }
            return false
        }
    }

    @Test func connectionClosedWithoutReplyIsATransportError() async throws {
        let server = try CannedServer { _ in .close }
        defer { server.stop() }
        await #expect { try await CurlHTTPClient().send(.get(server.baseURL + "/")) } throws: { error in
            if case ClientError.transport = error { return true }
            return false
        }
    }

    @Test func plainHTTPServerOnHTTPSURLIsATLSFailure() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        await #expect { try await CurlHTTPClient().send(.get("https://127.0.0.1:\(server.port)/")) } throws: { error in
            if case ClientError.tlsFailed = error { return true }
            return false
        }
    }
}
