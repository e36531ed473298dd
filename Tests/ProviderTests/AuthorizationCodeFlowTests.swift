import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

@Suite struct AuthorizationCodeFlowTests {
    @Test func confidentialClientSignsAUserInWithConsentPKCEAndAnIDToken() async throws {
        let provider = try await TestProvider.make()
        let alice = try await provider.createUser("alice", name: "Alice Liddell")
        let client = try await provider.registerClient()
        let browser = provider.browser()
        await browser.signIn("alice")
        let pkce = PKCEPair()

        let consent = await browser.get(authorizePath(authorizeParameters(client, pkce: pkce, nonce: "n-0S6")))
        #expect(consent.status == .ok)
        #expect(consent.text.contains("Test App"))
        #expect(consent.text.contains("See your email address"))
        let code = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce, nonce: "n-0S6"))

        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                         ("code_verifier", pkce.verifier)], headers: client.basic)
        #expect(reply.status == .ok)
        #expect(reply.headers["Cache-Control"] == "no-store")
        #expect(reply.headers["Pragma"] == "no-cache")
        let fields = reply.fields
        #expect(fields["token_type"] as? String == "Bearer")
        #expect(fields["expires_in"] as? Int == 3600)
        #expect(fields["scope"] as? String == "email openid profile")
        #expect(fields["refresh_token"] is String)
        let accessToken = try #require(fields["access_token"] as? String)

        let idToken = try JWT.parse(try #require(fields["id_token"] as? String))
        let claims = try idToken.verify(using: provider.services.signingKeys.published, issuer: TestProvider.issuer, audience: client.id,
                                        now: provider.clock.now, nonce: "n-0S6")
        #expect(claims.string("sub") == String(alice.id))
        #expect(claims.string("email") == "alice@example.com")
        #expect(claims.bool("email_verified") == true)
        #expect(claims.string("preferred_username") == "alice")
        #expect(claims.int("auth_time") != nil)
        #expect(claims.string("at_hash") == Base64URL.encode(SHA256.hash(accessToken).prefix(16)))

        let profile = await browser.get("/api/profile", headers: ["Authorization": "Bearer \(accessToken)"])
        #expect(profile.status == .ok)
        #expect(profile.fields["id"] as? Int == Int(alice.id))
        #expect(profile.fields["username"] as? String == "alice")
        #expect(profile.fields["name"] as? String == "Alice Liddell")
        #expect(profile.fields["email_verified"] as? Bool == true)
    }

    @Test func codesAndTokensAreStoredOnlyAsHashes() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let code = try await browser.authorizationCode(authorizeParameters(client))
        let fields = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                                         headers: client.basic).fields
        let access = try #require(fields["access_token"] as? String)
        let refresh = try #require(fields["refresh_token"] as? String)
        let sha = { (text: String) in Hex.encode(SHA256.hash(text)) }
        #expect(try await provider.query("SELECT 1 FROM authorization_codes WHERE code_hash = ?", sha(code)).count == 1)
        // Access and refresh tokens are stored after their time prefix (`TokenHash.newOrderedToken`).
        let stored = { (token: String) in String(token.prefix(12)) + sha(token) }
        #expect(try await provider.query("SELECT 1 FROM access_tokens WHERE token_hash = ?", stored(access)).count == 1)
        #expect(try await provider.query("SELECT 1 FROM refresh_tokens WHERE token_hash = ?", stored(refresh)).count == 1)
        #expect(try await provider.query("SELECT 1 FROM clients WHERE secret_hash = ?", sha(client.secret!)).count == 1)
        for table in ["authorization_codes", "access_tokens", "refresh_tokens", "clients"] {
            let dump = try await provider.query("SELECT * FROM \(table)").map { "\($0)" }.joined()
            for secret in [code, access, refresh, client.secret!] { #expect(!dump.contains(secret)) }
        }
    }

    @Test func anonymousVisitorsSignInFirstAndComeBackToTheRequest() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let browser = provider.browser()
        let path = authorizePath(authorizeParameters(client, pkce: PKCEPair()))
        let first = await browser.get(path)
        #expect(first.status == .seeOther)
        let location = try #require(first.location)
        #expect(location.hasPrefix("/login?next="))
        let next = try #require(queryParameters(location)["next"])
        #expect(next == path)
        let signedIn = await browser.signIn("alice", next: next)
        #expect(signedIn.location == path)
        let consent = await browser.get(path)
        #expect(consent.status == .ok)
        #expect(consent.text.contains("Allow"))
    }

    @Test func consentIsRememberedPerUserClientAndScopes() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        try await provider.createUser("bob")
        let client = try await provider.registerClient()
        let alice = provider.browser()
        await alice.signIn("alice")
        _ = try await alice.authorizationCode(authorizeParameters(client, scope: "openid profile"))

        let again = await alice.get(authorizePath(authorizeParameters(client, scope: "openid")))
        #expect(again.status == .found)
        #expect(queryParameters(again.location)["code"] != nil)

        let wider = await alice.get(authorizePath(authorizeParameters(client, scope: "openid email")))
        #expect(wider.status == .ok, "a scope never granted asks again")

        let forced = await alice.get(authorizePath(authorizeParameters(client, scope: "openid", extra: [("prompt", "consent")])))
        #expect(forced.status == .ok)

        let bob = provider.browser()
        await bob.signIn("bob")
        #expect(await bob.get(authorizePath(authorizeParameters(client, scope: "openid"))).status == .ok)
    }

    @Test func skipConsentClientsGetACodeAtOnce() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let response = await browser.get(authorizePath(authorizeParameters(client, state: "s1")))
        #expect(response.status == .found)
        let query = queryParameters(response.location)
        #expect(response.location?.hasPrefix(client.redirectURI + "?") == true)
        #expect(query["code"] != nil)
        #expect(query["state"] == "s1")
        #expect(query["iss"] == TestProvider.issuer)
    }

    @Test func denyingRedirectsWithAccessDeniedAndTheState() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let browser = provider.browser()
        await browser.signIn("alice")
        let parameters = authorizeParameters(client, state: "keep-me")
        let page = await browser.get(authorizePath(parameters))
        let token = try #require(TestClient.hiddenField("csrf_token", in: page.text))
        let response = await browser.post("/oauth/authorize", form: parameters + [("csrf_token", token), ("decision", "deny")])
        #expect(response.status == .found)
        let query = queryParameters(response.location)
        #expect(query["error"] == "access_denied")
        #expect(query["state"] == "keep-me")
        #expect(query["code"] == nil)
        #expect(try await provider.count("consents") == 0)
    }

    @Test func consentWithoutTheCSRFTokenIsRefused() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let browser = provider.browser()
        await browser.signIn("alice")
        let parameters = authorizeParameters(client)
        _ = await browser.get(authorizePath(parameters))
        let response = await browser.post("/oauth/authorize", form: parameters + [("decision", "allow")])
        #expect(response.status == .forbidden)
        #expect(response.location == nil)
        #expect(try await provider.count("authorization_codes") == 0)
        let forged = await browser.post("/oauth/authorize", form: parameters + [("csrf_token", "forged"), ("decision", "allow")])
        #expect(forged.status == .forbidden)
    }

    @Test func publicClientsUsePKCEWithoutASecret() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(confidential: false, skipConsent: true)
        #expect(client.secret == nil)
        let browser = provider.browser()
        await browser.signIn("alice")
        let pkce = PKCEPair()
        let code = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                         ("client_id", client.id), ("code_verifier", pkce.verifier)])
        #expect(reply.status == .ok, "\(reply.text)")
        #expect(reply.fields["access_token"] is String)
    }

    @Test func clientSecretPostAuthenticatesToo() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let code = try await browser.authorizationCode(authorizeParameters(client, scope: "profile"))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                         ("client_id", client.id), ("client_secret", client.secret!)])
        #expect(reply.status == .ok)
        #expect(reply.fields["id_token"] == nil, "no openid scope, no id_token")
    }
}
