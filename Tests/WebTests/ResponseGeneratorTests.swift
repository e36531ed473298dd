import Testing
import Web
import WebTesting

private struct Profile: Codable, Equatable, ResponseEncodable {
    var name: String
    var url: String
    var tags: [String]
}

private struct DatabaseExploded: Error, CustomStringConvertible {
    var description: String { "password=hunter2 leaked into the error" }
}

@Suite struct ResponseGeneratorTests {
    /// A client for one GET route at `/` with `handler`.
    private func client<Output: ResponseGenerator>(
        sink: LogSink = .capturing(),
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Output
    ) -> TestClient {
        let router = Router()
        router.get("/", use: handler)
        return TestClient(quietApplication(router, sink: sink))
    }

    @Test func stringIsPlainUTF8Text() async {
        let response = await client { _, _ in "héllo" }.get("/")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(response.body == Array("héllo".utf8))
    }

    @Test func htmlIsTextHTMLWithItsStatus() async {
        let ok = await client { _, _ in HTML("<p>hi</p>") }.get("/")
        #expect(ok.status == .ok)
        #expect(ok.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(ok.text == "<p>hi</p>")
        let missing = await client { _, _ in HTML("<p>gone</p>", status: .notFound) }.get("/")
        #expect(missing.status == .notFound)
        #expect(missing.text == "<p>gone</p>")
    }

    @Test func jsonEncodesCodableWithSortedKeysAndPlainSlashes() async throws {
        let profile = Profile(name: "Ada", url: "https://example.com/ada", tags: ["a"])
        let response = await client { _, _ in JSON(profile, status: .created) }.get("/")
        #expect(response.status == .created)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.text == #"{"name":"Ada","tags":["a"],"url":"https://example.com/ada"}"#)
        #expect(try response.json(Profile.self) == profile)
    }

    @Test func responseEncodableValueIsAnsweredAsJSON() async throws {
        let profile = Profile(name: "Grace", url: "/grace", tags: [])
        let response = await client { _, _ in profile }.get("/")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(try response.json(Profile.self) == profile)
    }

    @Test func redirectIsSeeOtherByDefault() async {
        let response = await client { _, _ in Redirect(to: "/done?x=1") }.get("/")
        #expect(response.status == .seeOther)
        #expect(response.location == "/done?x=1")
        #expect(response.body.isEmpty)
    }

    @Test func redirectKeepsAnExplicitStatus() async {
        let response = await client { _, _ in Redirect(to: "https://example.com/", status: .movedPermanently) }.get("/")
        #expect(response.status == .movedPermanently)
        #expect(response.location == "https://example.com/")
    }

    @Test func statusIsAnEmptyResponse() async {
        let response = await client { _, _ in HTTPStatus.noContent }.get("/")
        #expect(response.status == .noContent)
        #expect(response.body.isEmpty)
        #expect(response.headers.count == 0)
    }

    @Test func responseIsPassedThroughUntouched() async {
        let response = await client { _, _ in
            var response = Response(status: 418, headers: ["X-Tea": "green"], body: [1, 2, 3])
            response.setCookie(Cookie(name: "a", value: "1"))
            return response
        }.get("/")
        #expect(response.status.code == 418)
        #expect(response.headers["X-Tea"] == "green")
        #expect(response.headers["Set-Cookie"] == "a=1; Path=/; HttpOnly; SameSite=Lax")
        #expect(response.body == [1, 2, 3])
    }

    @Test func thrownHTTPErrorBecomesItsStatusMessageAndHeaders() async {
        let response = await client { _, _ -> String in
            throw HTTPError(.tooManyRequests, "Slow down.", headers: ["Retry-After": "30"])
        }.get("/")
        #expect(response.status == .tooManyRequests)
        #expect(response.text == "Slow down.\n")
        #expect(response.headers["Retry-After"] == "30")
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test func httpErrorWithoutMessageUsesTheReasonPhrase() async {
        let response = await client { _, _ -> String in throw HTTPError(.forbidden) }.get("/")
        #expect(response.status == .forbidden)
        #expect(response.text == "Forbidden\n")
    }

    @Test func unknownErrorBecomes500AndIsLoggedByTypeName() async {
        let sink = LogSink.capturing()
        let response = await client(sink: sink) { _, _ -> String in throw DatabaseExploded() }.get("/")
        #expect(response.status == .internalServerError)
        #expect(response.text == ErrorMapping.internalMessage + "\n")
        // The detail goes to the log, never to the client.
        #expect(!response.text.contains("hunter2"))
        let errors = sink.lines.filter { $0.hasPrefix("level=error") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("DatabaseExploded") == true)
        #expect(errors.first?.contains("request_id=test-1") == true)
    }

    @Test func errorThrownWhileEncodingIsA500() async {
        let sink = LogSink.capturing()
        let response = await client(sink: sink) { _, _ in JSON(Double.nan) }.get("/")
        #expect(response.status == .internalServerError)
        #expect(sink.lines.contains { $0.contains("EncodingError") })
    }
}
