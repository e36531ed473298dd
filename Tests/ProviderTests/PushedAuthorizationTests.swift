import Foundation
import Testing
import Web
import WebTesting
@testable import Provider

/// Pushed authorization requests (RFC 9126; issue 15, point 2).
@Suite struct PushedAuthorizationTests {
    func setUp(requirePAR: Bool = false, skipConsent: Bool = true) async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: skipConsent, requirePKCE: true)
        if requirePAR { try await provider.services.clients.set(.requirePushedRequests, to: true, clientID: client.id) }
        return (provider, provider.browser(), client)
    }

    func push(_ browser: TestClient, _ client: TestOAuthClient, _ parameters: [(String, String)]) async -> TestResponse {
        await browser.post("/oauth/par", form: parameters.filter { $0.0 != "client_id" }, headers: client.basic)
    }

    func pushed(_ browser: TestClient, _ client: TestOAuthClient, pkce: PKCEPair) async throws -> String {
        let reply = await push(browser, client, authorizeParameters(client, pkce: pkce))
        try #require(reply.status == .created, "PAR failed: \(reply.text)")
        return try #require(reply.fields["request_uri"] as? String)
    }

    func redeemPath(_ client: TestOAuthClient, _ requestURI: String) -> String {
        "/oauth/authorize?" + FormData([("client_id", client.id), ("request_uri", requestURI)]).encoded
    }

    @Test func aPushedRequestSignsInAndExchanges() async throws {
        let (_, browser, client) = try await setUp()
        await browser.signIn("alice")
        let pkce = PKCEPair()
        let reply = await push(browser, client, authorizeParameters(client, pkce: pkce, nonce: "n1"))
        #expect(reply.status == .created)
        #expect(reply.headers["Cache-Control"] == "no-store")
        #expect(reply.fields["expires_in"] as? Int == 60)
        let requestURI = try #require(reply.fields["request_uri"] as? String)
        #expect(requestURI.hasPrefix("urn:ietf:params:oauth:request_uri:"))
        #expect(requestURI.count > "urn:ietf:params:oauth:request_uri:".count + 40)

        // Only the pushed parameters count: a state added to the URL is ignored.
        let answer = await browser.get(redeemPath(client, requestURI) + "&state=forged")
        #expect(answer.status == .found)
        let query = queryParameters(answer.location)
        #expect(query["state"] == "xyz-state")
        let code = try #require(query["code"])
        let tokens = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                          ("code_verifier", pkce.verifier)], headers: client.basic)
        #expect(tokens.status == .ok)
    }

    @Test func theRequestURIIsStoredHashedWithoutTheSecret() async throws {
        let (provider, browser, client) = try await setUp()
        let reply = await browser.post("/oauth/par", form: authorizeParameters(client, pkce: PKCEPair())
                                        + [("client_secret", client.secret!)])
        let requestURI = try #require(reply.fields["request_uri"] as? String)
        let dump = try await provider.query("SELECT * FROM pushed_authorization_requests").map { "\($0)" }.joined()
        #expect(!dump.contains(String(requestURI.dropFirst(PushedRequests.prefix.count))))
        #expect(!dump.contains(client.secret!))
    }

    @Test func aReplayedRequestURIIsRefused() async throws {
        let (_, browser, client) = try await setUp()
        await browser.signIn("alice")
        let requestURI = try await pushed(browser, client, pkce: PKCEPair())
        #expect(await browser.get(redeemPath(client, requestURI)).status == .found)
        let again = await browser.get(redeemPath(client, requestURI))
        #expect(again.status == .badRequest)
        #expect(again.location == nil)
        #expect(again.text.contains("already used"))
    }

    @Test func simultaneousRedemptionsHaveOneWinner() async throws {
        let (provider, browser, client) = try await setUp()
        let requestURI = try await pushed(browser, client, pkce: PKCEPair())
        let path = redeemPath(client, requestURI)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { await provider.browser().get(path).status.code } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 303 }.count == 1)
        #expect(statuses.filter { $0 == 400 }.count == 7)
    }

    @Test func anExpiredRequestURIIsRefused() async throws {
        let (provider, browser, client) = try await setUp()
        await browser.signIn("alice")
        let requestURI = try await pushed(browser, client, pkce: PKCEPair())
        provider.clock.advance(61)
        let response = await browser.get(redeemPath(client, requestURI))
        #expect(response.status == .badRequest)
        #expect(response.text.contains("expired"))
    }

    @Test func anotherClientsRequestURIIsRefused() async throws {
        let (provider, browser, client) = try await setUp()
        let other = try await provider.registerClient(name: "Other", redirectURIs: ["https://other.test/cb"], skipConsent: true)
        await browser.signIn("alice")
        let requestURI = try await pushed(browser, client, pkce: PKCEPair())
        let response = await browser.get(redeemPath(other, requestURI))
        #expect(response.status == .badRequest)
        #expect(response.location == nil)
        #expect(response.text.contains("another application"))
        // Refusing it did not use it up for its own client.
        #expect(await browser.get(redeemPath(client, requestURI)).status == .found)
    }

    @Test func unknownOrMalformedRequestURIsArePages() async throws {
        let (_, browser, client) = try await setUp()
        await browser.signIn("alice")
        for uri in ["urn:ietf:params:oauth:request_uri:nope", "https://evil.test/request", "", String(repeating: "x", count: 3000)] {
            let response = await browser.get(redeemPath(client, uri))
            #expect(response.status == .badRequest, "\(uri.prefix(40))")
            #expect(response.location == nil)
        }
        let noClient = await browser.get("/oauth/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax")
        #expect(noClient.status == .badRequest)
    }

    @Test func aPARRequestContainingRequestURIIsRefused() async throws {
        let (provider, browser, client) = try await setUp()
        let reply = await push(browser, client, authorizeParameters(client, pkce: PKCEPair())
                                + [("request_uri", "urn:ietf:params:oauth:request_uri:abc")])
        #expect(reply.status == .badRequest)
        #expect(reply.oauthError == "invalid_request")
        let withObject = await push(browser, client, authorizeParameters(client, pkce: PKCEPair()) + [("request", "eyJ.x.y")])
        #expect(withObject.oauthError == "invalid_request")
        #expect(try await provider.count("pushed_authorization_requests") == 0)
    }

    @Test func invalidParametersAreRefusedAtPushTime() async throws {
        let (provider, browser, client) = try await setUp()
        let pkce = PKCEPair()
        let cases: [([(String, String)], String)] = [
            (authorizeParameters(client, pkce: pkce, redirectURI: "https://evil.test/cb"), "invalid_request"),
            (authorizeParameters(client), "invalid_request"),                                 // no PKCE
            (authorizeParameters(client, scope: "openid admin", pkce: pkce), "invalid_scope"),
            (authorizeParameters(client, pkce: pkce).map { $0.0 == "response_type" ? ($0.0, "token") : $0 }, "unsupported_response_type"),
            (authorizeParameters(client, pkce: pkce, extra: [("max_age", "-1")]), "invalid_request"),
        ]
        for (parameters, error) in cases {
            let reply = await push(browser, client, parameters)
            #expect(reply.status == .badRequest, "\(parameters)")
            #expect(reply.oauthError == error, "\(parameters)")
        }
        #expect(try await provider.count("pushed_authorization_requests") == 0)
    }

    @Test func thePushMustAuthenticateTheClient() async throws {
        let (provider, browser, client) = try await setUp()
        let parameters = authorizeParameters(client, pkce: PKCEPair())
        let anonymous = await browser.post("/oauth/par", form: parameters)
        #expect(anonymous.status == .unauthorized)
        #expect(anonymous.oauthError == "invalid_client")
        let wrong = await browser.post("/oauth/par", form: parameters + [("client_secret", "wrong")])
        #expect(wrong.oauthError == "invalid_client")
        let other = try await provider.registerClient(name: "Other", redirectURIs: ["https://other.test/cb"])
        let mismatched = await browser.post("/oauth/par", form: parameters, headers: other.basic)
        #expect(mismatched.oauthError == "invalid_client")
        #expect(try await provider.count("pushed_authorization_requests") == 0)
    }

    @Test func aClientRequiringPARCannotSendAPlainRequest() async throws {
        let (_, browser, client) = try await setUp(requirePAR: true)
        await browser.signIn("alice")
        let response = await browser.get(authorizePath(authorizeParameters(client, pkce: PKCEPair())))
        #expect(response.status == .found)
        let query = queryParameters(response.location)
        #expect(query["error"] == "invalid_request")
        #expect(query["error_description"]?.contains("PAR") == true)
    }

    /// The request_uri is used at the first visit; the anonymous visitor signs in, comes back to
    /// the resolved request and, for a client requiring PAR, is let through by the session's note.
    @Test func anAnonymousVisitorSignsInAndTheFlowGoesOnWithConsent() async throws {
        let (_, browser, client) = try await setUp(requirePAR: true, skipConsent: false)
        let pkce = PKCEPair()
        let requestURI = try await pushed(browser, client, pkce: pkce)
        let first = await browser.get(redeemPath(client, requestURI))
        #expect(first.status == .seeOther)
        let location = try #require(first.location)
        #expect(location.hasPrefix("/login?next="))
        #expect(!location.contains("request_uri"))
        let next = try #require(queryParameters("http://x" + location)["next"])
        let signedIn = await browser.signIn("alice", next: next)
        #expect(signedIn.location == next)
        let consent = await browser.get(next)
        #expect(consent.status == .ok)
        let token = try #require(TestClient.hiddenField("csrf_token", in: consent.text))
        let fields = authorizeParameters(client, pkce: pkce)
        let decided = await browser.post("/oauth/authorize", form: fields + [("csrf_token", token), ("decision", "allow")])
        #expect(queryParameters(decided.location)["code"] != nil)
        // The note is used up with the decision: the same plain request is refused now.
        let again = await browser.get(next)
        #expect(queryParameters(again.location)["error"] == "invalid_request")
    }

    @Test func discoveryAdvertisesPAR() async throws {
        let (_, browser, _) = try await setUp()
        let metadata = await browser.get("/.well-known/openid-configuration").fields
        #expect(metadata["pushed_authorization_request_endpoint"] as? String == TestProvider.issuer + "/oauth/par")
        #expect(metadata["require_pushed_authorization_requests"] as? Bool == false)
    }
}
