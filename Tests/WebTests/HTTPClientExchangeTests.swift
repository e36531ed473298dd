import Testing
import Web

@Suite struct HTTPClientExchangeTests {
    let client = CurlHTTPClient()

    @Test func getSendsCallerHeadersAndPath() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let response = try await client.send(.get(
            server.baseURL + "/user?fields=id", headers: ["Accept": "application/json", "X-Trace": "abc 123"]))
        #expect(response.status == 200)
        let echoed = try response.json(EchoedRequest.self)
        #expect(echoed.method == "GET")
        #expect(echoed.path == "/user?fields=id")
        #expect(echoed.values("Accept") == ["application/json"])
        #expect(echoed.values("X-Trace") == ["abc 123"])
        #expect(echoed.body == "")
    }

    @Test func emptyHeaderValueIsSentNotDropped() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let response = try await client.send(.get(server.baseURL + "/", headers: ["X-Empty": ""]))
        #expect(try response.json(EchoedRequest.self).values("X-Empty") == [""])
    }

    @Test func formPostArrivesEncoded() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let response = try await client.send(.post(
            server.baseURL + "/token", form: [("grant_type", "authorization_code"), ("code", "a b&c")]))
        let echoed = try response.json(EchoedRequest.self)
        #expect(echoed.method == "POST")
        #expect(echoed.values("Content-Type") == ["application/x-www-form-urlencoded"])
        #expect(echoed.body == "grant_type=authorization_code&code=a%20b%26c")
        #expect(echoed.values("Content-Length") == ["44"])
    }

    @Test func jsonPostArrivesWithJSONContentType() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let json = #"{"name":"Ada","tags":["x"]}"#
        let response = try await client.send(.postJSON(server.baseURL + "/api", json: Array(json.utf8)))
        let echoed = try response.json(EchoedRequest.self)
        #expect(echoed.method == "POST")
        #expect(echoed.values("Content-Type") == ["application/json"])
        #expect(echoed.body == json)
    }

    @Test func largeBodyIsSentWithoutWaitingForContinue() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let payload = String(repeating: "x", count: 4096)
        let response = try await client.send(.post(server.baseURL + "/big", form: [("blob", payload)]))
        let echoed = try response.json(EchoedRequest.self)
        #expect(echoed.values("Expect").isEmpty)
        #expect(echoed.body == "blob=" + payload)
    }

    @Test func deleteCarriesItsBody() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let request = ClientRequest(
            method: "DELETE", url: server.baseURL + "/applications/abc/grant",
            headers: ["Content-Type": "application/json"], body: Array(#"{"access_token":"t"}"#.utf8))
        let response = try await client.send(request)
        let echoed = try response.json(EchoedRequest.self)
        #expect(echoed.method == "DELETE")
        #expect(echoed.body == #"{"access_token":"t"}"#)
        #expect(echoed.values("Content-Type") == ["application/json"])
    }

    @Test func bodyWithoutContentTypeGetsNoneInvented() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let response = try await client.send(ClientRequest(method: "PUT", url: server.baseURL + "/", body: [1, 2, 3]))
        let echoed = try response.json(EchoedRequest.self)
        #expect(echoed.method == "PUT")
        #expect(echoed.values("Content-Type").isEmpty)
        #expect(echoed.body.utf8.elementsEqual([1, 2, 3]))
    }

    @Test func userAgentIsSentByDefault() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let response = try await client.send(.get(server.baseURL + "/"))
        let agents = try response.json(EchoedRequest.self).values("User-Agent")
        #expect(agents == ["Latchkey/1.0 (+https://github.com/latchkey)"])
    }

    @Test func callerUserAgentReplacesTheDefault() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let response = try await client.send(.get(server.baseURL + "/", headers: ["user-agent": "Custom/2"]))
        #expect(try response.json(EchoedRequest.self).values("User-Agent") == ["Custom/2"])
    }

    @Test func responseHeadersKeepOrderAndRepeats() async throws {
        let server = try CannedServer { _ in
            .response(
                status: 201, reason: "Created",
                headers: [("Set-Cookie", "a=1"), ("X-Reply", "  padded  "), ("Set-Cookie", "b=2")],
                body: Array("made".utf8))
        }
        defer { server.stop() }
        let response = try await client.send(.get(server.baseURL + "/"))
        #expect(response.status == 201)
        #expect(response.text == "made")
        #expect(response.headers.values(for: "set-cookie") == ["a=1", "b=2"])
        #expect(response.headers["X-Reply"] == "padded")
        #expect(response.headers["Content-Length"] == "4")
    }

    @Test func onlyTheFinalResponseHeadersAreKept() async throws {
        let interim = Array("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n".utf8)
        let final = CannedReply.responseBytes(headers: [("X-Final", "yes")], body: Array("ok".utf8))
        let server = try CannedServer { _ in .bytes(interim + final) }
        defer { server.stop() }
        let response = try await client.send(.get(server.baseURL + "/"))
        #expect(response.status == 200)
        #expect(response.headers["Link"] == nil)
        #expect(response.headers["X-Final"] == "yes")
        #expect(response.text == "ok")
    }

    @Test func errorStatusIsAResponseNotAnError() async throws {
        let server = try CannedServer { _ in
            .response(status: 401, reason: "Unauthorized", body: Array(#"{"error":"bad_verification_code"}"#.utf8))
        }
        defer { server.stop() }
        let response = try await client.send(.post(server.baseURL + "/token", form: [("code", "x")]))
        #expect(response.status == 401)
        #expect(response.text.contains("bad_verification_code"))
    }
}
