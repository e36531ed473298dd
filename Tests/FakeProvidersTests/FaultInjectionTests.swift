import FakeProviders
import Foundation
import Security
import Testing
import Web

@Suite struct FaultInjectionTests {
    static func signedInGitHub() async throws -> (GitHubFake, String) {
        let fake = try GitHubFakeTests.makeFake()
        return (fake, try await GitHubFakeTests.token(fake))
    }

    @Test func statusFaultReplacesOneReplyThenClears() async throws {
        let (fake, token) = try await Self.signedInGitHub()
        try await using(fake) { fake async throws in
            fake.inject(.status(500), on: .profile)
            #expect(try await GitHubFakeTests.api(fake, "/user", token: token).status == 500)
            #expect(try await GitHubFakeTests.api(fake, "/user", token: token).status == 200)
        }
    }

    @Test func faultInjectedForSeveralRequestsRepeats() async throws {
        let (fake, token) = try await Self.signedInGitHub()
        try await using(fake) { fake async throws in
            fake.inject(.status(503), on: .profile, times: 2)
            #expect(try await GitHubFakeTests.api(fake, "/user", token: token).status == 503)
            #expect(try await GitHubFakeTests.api(fake, "/user", token: token).status == 503)
            #expect(try await GitHubFakeTests.api(fake, "/user", token: token).status == 200)
        }
    }

    @Test func htmlFaultAnswersAPageWithStatus200() async throws {
        try await using(try FacebookFakeTests.makeFake()) { fake async throws in
            fake.inject(.html, on: .token)
            let response = try await http.send(.get(url(fake.baseURL, "/v25.0/oauth/access_token", [("code", "x")])))
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"]?.hasPrefix("text/html") == true)
        }
    }

    @Test func malformedJSONFaultCannotBeParsed() async throws {
        try await using(try LinkedInFakeTests.makeFake()) { fake async throws in
            fake.inject(.malformedJSON, on: .token)
            let response = try await LinkedInFakeTests.exchange(fake, code: try await LinkedInFakeTests.code(fake))
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
            #expect(throws: (any Error).self) { try response.json(JSONValue.self) }
        }
    }

    @Test func timeoutFaultOutlastsTheClientTimeout() async throws {
        try await using(try OIDCFakeTests.makeFake()) { fake async throws in
            fake.inject(.timeout(0.6), on: .discovery)
            let impatient = CurlHTTPClient(totalTimeout: 0.2)
            await #expect(throws: ClientError.timedOut) { try await impatient.send(.get(fake.discoveryURL)) }
            #expect(try await http.send(.get(fake.discoveryURL)).status == 200)
        }
    }

    @Test func profileWithoutIDDropsTheIdentifier() async throws {
        let (github, token) = try await Self.signedInGitHub()
        try await using(github) { fake async throws in
            fake.inject(.profileWithoutID, on: .profile)
            let user = try object(try await GitHubFakeTests.api(fake, "/user", token: token))
            #expect(user["id"] == nil && user["login"] == "octocat")
        }
        try await using(try OIDCFakeTests.makeFake()) { fake async throws in
            let reply = try object(try await OIDCFakeTests.redeem(fake, code: try await OIDCFakeTests.code(fake, pkce: nil), verifier: nil))
            let access = try #require(reply["access_token"]?.stringValue)
            fake.inject(.profileWithoutID, on: .profile)
            let info = try object(try await http.send(.get(fake.baseURL + "/userinfo", headers: ["Authorization": "Bearer \(access)"])))
            #expect(info["sub"] == nil && info["email"] == "ada@example.com")
        }
    }

    @Test func emailsNotFoundFaultAnswers404() async throws {
        let (fake, token) = try await Self.signedInGitHub()
        try await using(fake) { fake async throws in
            fake.inject(.emailsNotFound, on: .emails)
            #expect(try await GitHubFakeTests.api(fake, "/user/emails", token: token).status == 404)
            #expect(try await GitHubFakeTests.api(fake, "/user/emails", token: token).status == 200)
        }
    }

    @Test func clearFaultsDropsPendingFaults() async throws {
        let (fake, token) = try await Self.signedInGitHub()
        try await using(fake) { fake async throws in
            fake.inject(.status(500), on: .profile, times: .max)
            fake.clearFaults()
            #expect(try await GitHubFakeTests.api(fake, "/user", token: token).status == 200)
        }
    }
}
