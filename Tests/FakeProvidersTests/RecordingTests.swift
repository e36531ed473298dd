import FakeProviders
import Foundation
import Testing
import Web

@Suite struct RecordingTests {
    @Test func recordsMethodPathQueryHeadersAndBody() async throws {
        try await using(try GitHubFakeTests.makeFake()) { fake in
            _ = try await http.send(.post(fake.baseURL + "/login/oauth/access_token?via=query", form: [("code", "abc")],
                                          headers: ["Accept": "application/json", "User-Agent": "Latchkey-Test"]))
            _ = try await http.send(.get(fake.baseURL + "/nowhere"))
            let requests = fake.receivedRequests
            #expect(requests.count == 2)
            let token = try #require(requests.first)
            #expect(token.method == .post)
            #expect(token.path == "/login/oauth/access_token")
            #expect(token.query["via"] == "query")
            #expect(token.header("Accept") == "application/json")
            #expect(token.header("User-Agent") == "Latchkey-Test")
            #expect(token.form["code"] == "abc")
            #expect(token.bodyText == "code=abc")
            #expect(requests.last?.path == "/nowhere")
            fake.clearReceivedRequests()
            #expect(fake.receivedRequests.isEmpty)
        }
    }
}
