import Testing
import Web
import WebTesting
@testable import Provider

/// `authorization_code` at the token endpoint: single use, 60 seconds, bound to the client,
/// the redirect URI and the PKCE challenge.
@Suite struct CodeExchangeTests {
    struct Flow {
        let provider: TestProvider
        let http: TestClient
        let client: TestOAuthClient
        let pkce: PKCEPair
        let code: String

        func exchange(code: String? = nil, redirectURI: String? = "", verifier: String? = "", as other: TestOAuthClient? = nil) async -> TestResponse {
            var form = [("grant_type", "authorization_code"), ("code", code ?? self.code)]
            let uri = redirectURI == "" ? client.redirectURI : redirectURI
            if let uri { form.append(("redirect_uri", uri)) }
            let verifier = verifier == "" ? pkce.verifier : verifier
            if let verifier { form.append(("code_verifier", verifier)) }
            return await http.token(form, headers: (other ?? client).basic)
        }
    }

    func flow(redirectURIs: [String] = ["https://app.test/callback"]) async throws -> Flow {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(redirectURIs: redirectURIs, skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let pkce = PKCEPair()
        let code = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce))
        return Flow(provider: provider, http: provider.browser(), client: client, pkce: pkce, code: code)
    }

    @Test func reusedCodeIsRefusedAndRevokesWhatItIssued() async throws {
        let flow = try await flow()
        let first = await flow.exchange()
        #expect(first.status == .ok)
        let access = try #require(first.fields["access_token"] as? String)
        let refresh = try #require(first.fields["refresh_token"] as? String)
        #expect(await flow.http.get("/api/profile", headers: ["Authorization": "Bearer \(access)"]).status == .ok)

        let second = await flow.exchange()
        #expect(second.status == .badRequest)
        #expect(second.oauthError == "invalid_grant")
        #expect(await flow.http.get("/api/profile", headers: ["Authorization": "Bearer \(access)"]).status == .unauthorized)
        let refreshed = await flow.http.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: flow.client.basic)
        #expect(refreshed.oauthError == "invalid_grant")
    }

    @Test func expiredCodeIsInvalidGrant() async throws {
        let flow = try await flow()
        flow.provider.clock.advance(61)
        let reply = await flow.exchange()
        #expect(reply.oauthError == "invalid_grant")
    }

    @Test func codeStillWorksWithinItsMinute() async throws {
        let flow = try await flow()
        flow.provider.clock.advance(59)
        #expect(await flow.exchange().status == .ok)
    }

    @Test func codeIssuedToAnotherClientIsInvalidGrant() async throws {
        let flow = try await flow()
        let other = try await flow.provider.registerClient(name: "Other")
        let reply = await flow.exchange(as: other)
        #expect(reply.oauthError == "invalid_grant")
        #expect(await flow.exchange().status == .ok, "the rightful client can still redeem it")
    }

    @Test func unknownCodeIsInvalidGrant() async throws {
        let flow = try await flow()
        #expect(await flow.exchange(code: "made-up-code").oauthError == "invalid_grant")
    }

    @Test func redirectURIMismatchAtTheTokenStepIsInvalidGrant() async throws {
        let flow = try await flow(redirectURIs: ["https://app.test/callback", "https://app.test/other"])
        #expect(await flow.exchange(redirectURI: "https://app.test/other").oauthError == "invalid_grant")
        #expect(await flow.exchange(redirectURI: nil).oauthError == "invalid_grant", "it was in the authorization request")
        #expect(await flow.exchange().status == .ok)
    }

    @Test func wrongPKCEVerifierIsInvalidGrant() async throws {
        let flow = try await flow()
        #expect(await flow.exchange(verifier: PKCEPair().verifier).oauthError == "invalid_grant")
        #expect(await flow.exchange(verifier: "short").oauthError == "invalid_grant")
        #expect(await flow.exchange().status == .ok)
    }

    @Test func missingPKCEVerifierIsInvalidGrant() async throws {
        let flow = try await flow()
        #expect(await flow.exchange(verifier: nil).oauthError == "invalid_grant")
    }

    @Test func verifierForACodeWithoutChallengeIsInvalidGrant() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let code = try await browser.authorizationCode(authorizeParameters(client))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                         ("code_verifier", PKCEPair().verifier)], headers: client.basic)
        #expect(reply.oauthError == "invalid_grant")
    }
}
