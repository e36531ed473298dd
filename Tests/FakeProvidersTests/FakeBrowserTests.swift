import FakeProviders
import Foundation
import Testing
import Web

@Suite struct FakeBrowserTests {
    @Test func returnsTheCallbackURLWithCodeAndState() async throws {
        try await using(try GitHubFakeTests.makeFake()) { fake async throws in
            let location = try await FakeBrowser.authorize(url(fake.baseURL, "/login/oauth/authorize",
                [("client_id", GitHubFakeTests.id), ("redirect_uri", callback + "?from=site"), ("state", "a b")]))
            #expect(FakeBrowser.pathAndQuery(of: location).hasPrefix("/auth/callback?from=site&code="))
            let items = FakeBrowser.queryItems(of: location)
            #expect(items["from"] == "site")
            #expect(items["state"] == "a b")
        }
    }

    @Test func failsWhenNobodyIsSignedInAtTheProvider() async throws {
        try await using(try GitHubFake()) { fake async throws in
            await #expect {
                try await FakeBrowser.authorize(url(fake.baseURL, "/login/oauth/authorize",
                                                    [("client_id", GitHubFakeTests.id), ("redirect_uri", callback)]))
            } throws: { error in
                guard case let .notRedirected(status, _) = error as? FakeBrowserError else { return false }
                return status == 200
            }
        }
    }

    @Test func unknownClientGetsNoRedirect() async throws {
        try await using(try OIDCFakeTests.makeFake()) { fake async throws in
            await #expect(throws: FakeBrowserError.self) {
                try await FakeBrowser.authorize(url(fake.baseURL, "/authorize",
                                                    [("response_type", "code"), ("client_id", "stranger"), ("redirect_uri", callback)]))
            }
        }
    }

    @Test func pathAndQueryStripsSchemeAndHost() {
        #expect(FakeBrowser.pathAndQuery(of: "http://127.0.0.1:4000/cb?code=1&state=2") == "/cb?code=1&state=2")
        #expect(FakeBrowser.pathAndQuery(of: "http://127.0.0.1:4000") == "/")
    }
}
