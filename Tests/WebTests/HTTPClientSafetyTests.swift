import Testing
import Web

@Suite struct HTTPClientSafetyTests {
    let client = CurlHTTPClient()

    @Test func redirectIsReturnedNotFollowed() async throws {
        let server = try CannedServer { request in
            request.target == "/start"
                ? .response(status: 302, reason: "Found", headers: [("Location", "/elsewhere")])
                : .echo(request)
        }
        defer { server.stop() }
        let response = try await client.send(.get(server.baseURL + "/start"))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == "/elsewhere")
        #expect(server.requestCount == 1)
    }

    @Test(arguments: [
        "file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://127.0.0.1/", "dict://127.0.0.1/",
        "127.0.0.1/path", "", "http://127.0.0.1/a b", "http://127.0.0.1/\0.evil",
    ])
    func nonHTTPURLsAreRefused(url: String) async {
        await #expect(throws: ClientError.invalidURL) { try await client.send(.get(url)) }
    }

    @Test func headerValueWithLineBreakIsNeverSent() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let request = ClientRequest.get(server.baseURL + "/", headers: ["X-Name": "a\r\nX-Injected: 1"])
        await #expect { try await client.send(request) } throws: { error in
            if case ClientError.transport = error { return true }
            return false
        }
        #expect(server.requestCount == 0)
    }

    @Test func malformedMethodIsNeverSent() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let request = ClientRequest(method: "GET / HTTP/1.1\r\n", url: server.baseURL)
        await #expect { try await client.send(request) } throws: { error in
            if case ClientError.transport = error { return true }
            return false
        }
        #expect(server.requestCount == 0)
    }

    @Test func oversizedBodyWithContentLengthIsRefused() async throws {
        let server = try CannedServer { _ in .response(body: [UInt8](repeating: 0x61, count: 2 << 20)) }
        defer { server.stop() }
        await #expect(throws: ClientError.responseTooLarge) { try await client.send(.get(server.baseURL + "/")) }
    }

    @Test func oversizedBodyWithoutContentLengthIsCutOff() async throws {
        let server = try CannedServer { _ in
            .response(body: [UInt8](repeating: 0x61, count: 2 << 20), lengthKnown: false)
        }
        defer { server.stop() }
        await #expect(throws: ClientError.responseTooLarge) { try await client.send(.get(server.baseURL + "/")) }
    }

    @Test func bodyExactlyAtTheCapIsAccepted() async throws {
        let server = try CannedServer { request in
            .response(body: [UInt8](repeating: 0x61, count: Int(request.target.dropFirst()) ?? 0), lengthKnown: false)
        }
        defer { server.stop() }
        let small = CurlHTTPClient(maxResponseBytes: 1000)
        let response = try await small.send(.get(server.baseURL + "/1000"))
        #expect(response.body.count == 1000)
        await #expect(throws: ClientError.responseTooLarge) { try await small.send(.get(server.baseURL + "/1001")) }
    }
}
