import Foundation
import Identity
import Security
import Synchronization
import Testing
import Web
import WebTesting
@testable import Provider

/// Records back-channel logout POSTs instead of sending them; can fail on purpose.
final class RecordingHTTP: HTTPClient {
    let sent = Mutex<[ClientRequest]>([])
    let failing: Bool
    init(failing: Bool = false) { self.failing = failing }

    func send(_ request: ClientRequest) async throws(ClientError) -> ClientResponse {
        sent.withLock { $0.append(request) }
        if failing { throw .timedOut }
        return ClientResponse(status: 200)
    }

    /// The logout tokens received so far, waiting (boundedly) for `count` of them: they go out in the background.
    func logoutTokens(atLeast count: Int = 1) async -> [String] {
        for _ in 0..<200 {
            let tokens = sent.withLock { $0 }.compactMap { request in
                request.body.flatMap { FormData(urlEncoded: Substring(String(decoding: $0, as: UTF8.self)))?["logout_token"] }
            }
            if tokens.count >= count { return tokens }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return []
    }
}

/// RP-initiated logout 1.0 and back-channel logout 1.0 on the provider (issue 15, point 7).
@Suite struct LogoutTests {
    static let after = "https://app.test/signed-out"
    static let backchannel = "https://app.test/backchannel-logout"

    struct World {
        let provider: TestProvider
        let client: TestOAuthClient
        let http: RecordingHTTP
        let app: Application
        func browser() -> TestClient { TestClient(app) }
    }

    static func world(failing: Bool = false) async throws -> World {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        #expect(try await provider.services.clients.setLogoutSettings(client.id, ClientLogoutSettings(
            postLogoutRedirectURIs: [after], backchannelLogoutURI: backchannel, backchannelLogoutSessionRequired: true)))
        var services = provider.services
        let http = RecordingHTTP(failing: failing)
        services.logoutHTTP = http
        return World(provider: provider, client: client, http: http, app: try ProviderApplication.make(services: services))
    }

    /// Signs alice in to the client; returns the id_token.
    static func signIn(_ world: World, _ browser: TestClient) async throws -> String {
        await browser.signIn("alice")
        let pkce = PKCEPair()
        let code = try await browser.authorizationCode(authorizeParameters(world.client, scope: "openid", pkce: pkce))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", world.client.redirectURI),
                                         ("code_verifier", pkce.verifier)], headers: world.client.basic)
        return try #require(reply.fields["id_token"] as? String)
    }

    static func logoutPath(_ parameters: [(String, String)]) -> String { "/oauth/logout?" + FormData(parameters).encoded }

    @Test func discoveryAdvertisesLogout() async throws {
        let provider = try await TestProvider.make()
        let fields = await provider.browser().get("/.well-known/openid-configuration").fields
        #expect(fields["end_session_endpoint"] as? String == TestProvider.issuer + "/oauth/logout")
        #expect(fields["backchannel_logout_supported"] as? Bool == true)
        #expect(fields["backchannel_logout_session_supported"] as? Bool == true)
        #expect(fields["frontchannel_logout_supported"] == nil)
    }

    @Test func aHintFromTheSignedInSessionLogsOutAtOnceAndTellsTheClient() async throws {
        let world = try await Self.world()
        let browser = world.browser()
        let idToken = try await Self.signIn(world, browser)
        let claims = try JWT.parse(idToken).claims
        let sid = try #require(claims.string("sid"), "id_tokens carry sid")

        let out = await browser.get(Self.logoutPath([("id_token_hint", idToken), ("post_logout_redirect_uri", Self.after), ("state", "s 1")]))
        #expect(out.status == .seeOther)
        #expect(out.location == Self.after + "?state=s+1")
        #expect(await browser.get("/account").status == .seeOther, "the provider session ended")

        let tokens = await world.http.logoutTokens()
        #expect(tokens.count == 1)
        #expect(world.http.sent.withLock { $0.first?.url } == Self.backchannel)
        let logout = try JWT.parse(try #require(tokens.first))
        let verified = try logout.verify(using: world.provider.services.signingKeys.published, issuer: TestProvider.issuer,
                                         audience: world.client.id, now: world.provider.clock.now, nonce: nil)
        #expect(verified.string("sid") == sid)
        #expect(verified.string("sub") == claims.string("sub"))
        #expect(verified["nonce"] == nil)
        #expect(verified.string("jti") != nil && verified.int("iat") != nil && verified.int("exp") != nil)
        #expect(verified["events"]?.objectValue?["http://schemas.openid.net/event/backchannel-logout"] != nil)
    }

    @Test func withoutAHintThePersonIsAskedAndTheAnswerIsCSRFChecked() async throws {
        let world = try await Self.world()
        let browser = world.browser()
        _ = try await Self.signIn(world, browser)
        let asked = await browser.post("/oauth/logout", form: [("client_id", world.client.id), ("post_logout_redirect_uri", Self.after),
                                                                ("state", "xyz")])
        #expect(asked.status == .ok && asked.text.contains("Sign out of Latchkey ID?") && asked.text.contains("Test App"))
        #expect(await browser.get("/account").status == .ok, "still signed in")

        let fields = [("client_id", world.client.id), ("post_logout_redirect_uri", Self.after), ("state", "xyz")]
        #expect(await browser.post(LogoutController.confirmPath, form: fields).status == .forbidden)
        let token = try #require(TestClient.hiddenField("csrf_token", in: asked.text))
        let confirmed = await browser.post(LogoutController.confirmPath, form: fields + [("csrf_token", token)])
        #expect(confirmed.status == .seeOther && confirmed.location == Self.after + "?state=xyz")
        #expect(await browser.get("/account").status == .seeOther)
        #expect(await world.http.logoutTokens().count == 1)
    }

    @Test func anotherUsersHintAsksFirst() async throws {
        let world = try await Self.world()
        try await world.provider.createUser("bob")
        let alice = world.browser()
        let aliceToken = try await Self.signIn(world, alice)
        let bob = world.browser()
        await bob.signIn("bob")
        let asked = await bob.get(Self.logoutPath([("id_token_hint", aliceToken)]))
        #expect(asked.status == .ok && asked.text.contains("Sign out of Latchkey ID?"))
        #expect(await bob.get("/account").status == .ok)
    }

    @Test func badRequestsArePagesNeverRedirects() async throws {
        let world = try await Self.world()
        let browser = world.browser()
        let idToken = try await Self.signIn(world, browser)
        let other = try await world.provider.registerClient(name: "Other", redirectURIs: ["https://other.test/cb"])
        let cases: [[(String, String)]] = [
            [("client_id", world.client.id), ("post_logout_redirect_uri", "http://evil.test/")],          // unregistered
            [("client_id", world.client.id), ("post_logout_redirect_uri", Self.after + "/")],             // not exact
            [("post_logout_redirect_uri", Self.after)],                                                    // no client named
            [("id_token_hint", idToken), ("client_id", other.id)],                                       // hint for another client
            [("id_token_hint", idToken + "x")],                                                           // bad signature
            [("id_token_hint", "not-a-jwt")],
            [("client_id", "no-such-client")],
            [("client_id", world.client.id), ("client_id", world.client.id)],                             // repeated
        ]
        for parameters in cases {
            let response = await browser.get(Self.logoutPath(parameters))
            #expect(response.status == .badRequest, "\(parameters)")
            #expect(response.location == nil)
        }
        #expect(await browser.get("/account").status == .ok, "nothing ended")
    }

    @Test func anIDTokenSignedWithARetiredKeyIsRefused() async throws {
        let world = try await Self.world()
        let browser = world.browser()
        let idToken = try await Self.signIn(world, browser)
        let keys = world.provider.services.signingKeys
        _ = try await keys.rotate(grace: 86_400, lifetime: 3_600)
        world.provider.clock.advance(86_400 + 3_600 + SigningKeys.margin)
        try await keys.refresh()
        let response = await browser.get(Self.logoutPath([("id_token_hint", idToken), ("post_logout_redirect_uri", Self.after)]))
        #expect(response.status == .badRequest && response.text.contains("no longer accepts"))
    }

    @Test func aSignedOutVisitorIsSentBack() async throws {
        let world = try await Self.world()
        let response = await world.browser().get(Self.logoutPath([("client_id", world.client.id), ("post_logout_redirect_uri", Self.after),
                                                                   ("state", "s")]))
        #expect(response.status == .seeOther && response.location == Self.after + "?state=s")
        let plain = await world.browser().get("/oauth/logout")
        #expect(plain.status == .seeOther && plain.location == "/?signed_out=1")
    }

    @Test func aClientThatFailsNeverBlocksTheLogout() async throws {
        let world = try await Self.world(failing: true)
        let browser = world.browser()
        let idToken = try await Self.signIn(world, browser)
        let out = await browser.get(Self.logoutPath([("id_token_hint", idToken)]))
        #expect(out.status == .seeOther && out.location == "/?signed_out=1")
        #expect(await browser.get("/account").status == .seeOther)
        _ = await world.http.logoutTokens()
        #expect(world.http.sent.withLock { $0.count } == 1)
    }

    @Test func signingOutOnTheProviderAlsoTellsTheClient() async throws {
        let world = try await Self.world()
        let browser = world.browser()
        _ = try await Self.signIn(world, browser)
        let token = await browser.csrfToken(from: "/account")
        #expect(await browser.post("/logout", form: [("csrf_token", token)]).status == .seeOther)
        #expect(await world.http.logoutTokens().count == 1)
    }

    @Test func grantSessionsAreForgottenOnlyOnceTheirTokensAreGone() async throws {
        let world = try await Self.world()
        _ = try await Self.signIn(world, world.browser())
        let database = world.provider.services.database, later = world.provider.clock.now + LogoutSessions.keep + 1
        #expect(try await database.write { db in try LogoutSessions.purge(before: later, in: db) } == 0, "its tokens are still there")
        _ = try await database.write { db in try TokenRepository.purgeTokens(before: Int.max, in: db) }
        #expect(try await database.write { db in try LogoutSessions.purge(before: world.provider.clock.now - 1, in: db) } == 0, "too recent")
        #expect(try await database.write { db in try LogoutSessions.purge(before: later, in: db) } == 1)
    }

    @Test func adminsSetAClientsLogoutURIs() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("root", admin: true)
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let alice = provider.browser()
        await alice.signIn("alice")
        #expect(await alice.get("/admin/clients/\(client.id)/logout").status == .forbidden)

        let root = provider.browser()
        await root.signIn("root")
        #expect(await root.get("/admin/clients").text.contains("/admin/clients/\(client.id)/logout"))
        let token = await root.csrfToken(from: "/admin/clients/\(client.id)/logout")
        let refused = await root.post("/admin/clients/\(client.id)/logout", form: [
            ("csrf_token", token), ("post_logout_redirect_uris", "javascript:alert(1)"), ("backchannel_logout_uri", "")])
        #expect(refused.status == .unprocessableContent)
        #expect(try await provider.services.clients.logoutSettings(client.id) == ClientLogoutSettings())
        #expect(await root.post("/admin/clients/\(client.id)/logout", form: [("post_logout_redirect_uris", Self.after)]).status == .forbidden,
                "CSRF-checked")
        let saved = await root.post("/admin/clients/\(client.id)/logout", form: [
            ("csrf_token", token), ("post_logout_redirect_uris", Self.after + "\nhttps://app.test/bye"), ("backchannel_logout_uri", Self.backchannel),
            ("backchannel_logout_session_required", "on")])
        #expect(saved.status == .seeOther)
        #expect(try await provider.services.clients.logoutSettings(client.id) == ClientLogoutSettings(
            postLogoutRedirectURIs: [Self.after, "https://app.test/bye"], backchannelLogoutURI: Self.backchannel, backchannelLogoutSessionRequired: true))
        #expect(await root.get("/admin/clients/no-such-client/logout").status == .notFound)
    }
}
