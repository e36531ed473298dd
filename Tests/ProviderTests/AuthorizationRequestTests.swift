import Testing
import Web
import WebTesting
@testable import Provider

/// Refusals at `/oauth/authorize`: a page when the client or redirect URI cannot be trusted,
/// a redirect with an RFC 6749 error code otherwise.
@Suite struct AuthorizationRequestTests {
    func signedIn() async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let browser = provider.browser()
        await browser.signIn("alice")
        return (provider, browser, client)
    }

    @Test func unknownClientGetsAnErrorPageNotARedirect() async throws {
        let (_, browser, client) = try await signedIn()
        let stranger = TestOAuthClient(id: "no-such-client", secret: nil, redirectURI: client.redirectURI)
        let response = await browser.get(authorizePath(authorizeParameters(stranger)))
        #expect(response.status == .badRequest)
        #expect(response.location == nil)
        #expect(response.text.contains("not registered"))
    }

    @Test func unregisteredRedirectURIGetsAnErrorPageNotARedirect() async throws {
        let (_, browser, client) = try await signedIn()
        for uri in ["http://evil.test/callback", client.redirectURI + "/", client.redirectURI + "?x=1", "HTTPS://app.test/callback"] {
            let response = await browser.get(authorizePath(authorizeParameters(client, redirectURI: uri)))
            #expect(response.status == .badRequest, "\(uri)")
            #expect(response.location == nil, "\(uri)")
        }
    }

    @Test func missingClientIDOrDuplicatedRedirectURIIsAPage() async throws {
        let (_, browser, client) = try await signedIn()
        #expect(await browser.get("/oauth/authorize?response_type=code").status == .badRequest)
        let twice = authorizeParameters(client) + [("redirect_uri", client.redirectURI)]
        let response = await browser.get(authorizePath(twice))
        #expect(response.status == .badRequest)
        #expect(response.location == nil)
    }

    @Test func unsupportedResponseTypeIsRedirectedWithTheState() async throws {
        let (_, browser, client) = try await signedIn()
        var parameters = authorizeParameters(client, state: "st")
        parameters[0] = ("response_type", "token")
        let response = await browser.get(authorizePath(parameters))
        #expect(response.status == .found)
        let query = queryParameters(response.location)
        #expect(query["error"] == "unsupported_response_type")
        #expect(query["state"] == "st")
        #expect(response.location?.hasPrefix(client.redirectURI) == true)
    }

    @Test func scopeNeverRegisteredIsInvalidScope() async throws {
        let (_, browser, client) = try await signedIn()
        let response = await browser.get(authorizePath(authorizeParameters(client, scope: "openid admin")))
        #expect(queryParameters(response.location)["error"] == "invalid_scope")
        #expect(queryParameters(response.location)["state"] == "xyz-state")
    }

    @Test func publicClientWithoutPKCEIsInvalidRequest() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(confidential: false, skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let response = await browser.get(authorizePath(authorizeParameters(client, state: "p")))
        #expect(response.status == .found)
        #expect(queryParameters(response.location)["error"] == "invalid_request")
        #expect(queryParameters(response.location)["state"] == "p")
        #expect(try await provider.count("authorization_codes") == 0)
    }

    @Test func plainPKCEIsRefused() async throws {
        let (_, browser, client) = try await signedIn()
        let pkce = PKCEPair()
        let plain = authorizeParameters(client, extra: [("code_challenge", pkce.verifier), ("code_challenge_method", "plain")])
        #expect(queryParameters(await browser.get(authorizePath(plain)).location)["error"] == "invalid_request")
        let implicitPlain = authorizeParameters(client, extra: [("code_challenge", pkce.challenge)])
        #expect(queryParameters(await browser.get(authorizePath(implicitPlain)).location)["error"] == "invalid_request")
    }

    @Test func duplicatedParametersAreInvalidRequest() async throws {
        let (_, browser, client) = try await signedIn()
        let response = await browser.get(authorizePath(authorizeParameters(client) + [("scope", "openid")]))
        #expect(response.status == .found)
        #expect(queryParameters(response.location)["error"] == "invalid_request")
    }

    @Test func clientWithoutTheCodeGrantIsUnauthorized() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        let browser = provider.browser()
        await browser.signIn("alice")
        let response = await browser.get(authorizePath(authorizeParameters(client, scope: "api")))
        #expect(queryParameters(response.location)["error"] == "unauthorized_client")
    }

    @Test func promptNoneNeverShowsAPage() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let browser = provider.browser()
        let anonymous = await browser.get(authorizePath(authorizeParameters(client, extra: [("prompt", "none")])))
        #expect(queryParameters(anonymous.location)["error"] == "login_required")
        await browser.signIn("alice")
        let unconsented = await browser.get(authorizePath(authorizeParameters(client, extra: [("prompt", "none")])))
        #expect(queryParameters(unconsented.location)["error"] == "consent_required")
    }

    @Test func omittedRedirectURIUsesTheOnlyRegisteredOne() async throws {
        let (_, browser, client) = try await signedIn()
        let parameters = authorizeParameters(client).filter { $0.0 != "redirect_uri" }
        let response = try await browser.authorize(parameters)
        #expect(response.location?.hasPrefix(client.redirectURI + "?code=") == true)
    }
}
