import FakeAuthenticator
import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// Passkeys as the provider's second factor, driven by a software authenticator through the
/// same JSON calls the page's script makes.
@Suite struct PasskeySecondFactorTests {
    static let rpID = "provider.test"

    /// Registers a passkey for the signed-in `browser`; returns the response of the final call.
    static func addPasskey(_ browser: TestClient, authenticator: SoftwareAuthenticator, name: String = "Laptop") async throws -> TestResponse {
        let token = await browser.csrfToken(from: "/account/security")
        let options = await browser.postJSON("/account/passkeys/options", json: "{}", headers: ["X-CSRF-Token": token])
        try #require(options.status == .ok, "options: \(options.status.code) \(options.text.prefix(200))")
        let fields = options.fields
        let challengeText = try #require(fields["challenge"] as? String)
        let challenge = try #require(Base64URL.decode(challengeText))
        let user = try #require(fields["user"] as? [String: Any])
        let handleText = try #require(user["id"] as? String)
        let handle = try #require(Base64URL.decode(handleText))
        #expect((fields["rp"] as? [String: Any])?["id"] as? String == rpID)
        let registration = try authenticator.register(rpID: rpID, challenge: challenge, userHandle: handle)
        return await browser.postJSON("/account/passkeys?name=" + FormData.encode(name), json: String(decoding: registration.json, as: UTF8.self),
                                      headers: ["X-CSRF-Token": token])
    }

    /// Answers the second-factor step with the authenticator; returns the assertion's JSON too.
    static func usePasskey(_ browser: TestClient, authenticator: SoftwareAuthenticator) async throws -> (TestResponse, String) {
        let token = await browser.csrfToken(from: "/login/second-factor")
        let options = await browser.postJSON("/login/second-factor/passkey/options", json: "{}", headers: ["X-CSRF-Token": token])
        try #require(options.status == .ok, "options: \(options.status.code) \(options.text.prefix(200))")
        let challengeText = try #require(options.fields["challenge"] as? String)
        let challenge = try #require(Base64URL.decode(challengeText))
        let assertion = String(decoding: try authenticator.authenticate(rpID: rpID, challenge: challenge).json, as: UTF8.self)
        return (await browser.postJSON("/login/second-factor/passkey", json: assertion, headers: ["X-CSRF-Token": token]), assertion)
    }

    @Test func aPasskeyIsASecondFactorAndIDTokensSaySo() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let authenticator = SoftwareAuthenticator(origin: TestProvider.issuer)
        let owner = provider.browser()
        await owner.signIn("alice")
        let added = try await Self.addPasskey(owner, authenticator: authenticator)
        #expect(added.status == .ok, "\(added.text)")
        #expect(added.fields["redirect"] as? String == "/account/security")
        let page = await owner.get("/account/security")
        #expect(page.text.contains("Laptop"))
        #expect(TestClient.recoveryCodes(in: page.text).count == 10, "the first second factor brings recovery codes, shown once")
        #expect(TestClient.recoveryCodes(in: await owner.get("/account/security").text).isEmpty)

        let browser = provider.browser()
        let parameters = authorizeParameters(client)
        let toLogin = await browser.get(authorizePath(parameters))
        let next = try #require(queryParameters(toLogin.location)["next"])
        #expect(await browser.signIn("alice", next: next).location == "/login/second-factor")
        #expect(await browser.get("/login/second-factor").text.contains("Use a passkey"))
        let (done, assertion) = try await Self.usePasskey(browser, authenticator: authenticator)
        #expect(done.status == .ok, "\(done.text)")
        #expect(done.fields["redirect"] as? String == next)
        let code = try await browser.authorizationCode(parameters)
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider)
        #expect(claims["amr"] == ["pwd", "hwk", "mfa"])
        #expect(claims.string("acr") == "2")

        let thief = provider.browser()
        await thief.signIn("alice")
        let token = await thief.csrfToken(from: "/login/second-factor")
        let replay = await thief.postJSON("/login/second-factor/passkey", json: assertion, headers: ["X-CSRF-Token": token])
        #expect(replay.status == .badRequest, "a used challenge does not sign in again")
        #expect(replay.fields["error"] is String)
        #expect(await thief.get("/account").location?.hasPrefix("/login") == true)
    }

    @Test func passkeyCallsWithoutAPendingSignInOrWithGarbageAreRefusedCleanly() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let anonymous = provider.browser()
        let script = await anonymous.get("/js/provider-passkeys.js")
        #expect(script.status == .ok)
        #expect(script.headers["Content-Type"]?.hasPrefix("text/javascript") == true, "served from our origin, as the CSP wants")
        let token = await anonymous.csrfToken(from: "/login")
        let options = await anonymous.postJSON("/login/second-factor/passkey/options", json: "{}", headers: ["X-CSRF-Token": token])
        #expect(options.status == .unauthorized)
        #expect(options.fields["error"] is String)

        let owner = provider.browser()
        await owner.signIn("alice")
        let csrf = await owner.csrfToken(from: "/account/security")
        for body in ["{}", "not json", "{\"id\": 5}", String(repeating: "[", count: 5000)] {
            let reply = await owner.postJSON("/account/passkeys?name=x", json: body, headers: ["X-CSRF-Token": csrf])
            #expect(reply.status == .badRequest, "\(body.prefix(20)): \(reply.status.code)")
        }
        #expect(await owner.post("/account/passkeys/999/delete", form: [("csrf_token", csrf)]).status == .notFound)
        #expect(await owner.post("/account/passkeys/abc/delete", form: [("csrf_token", csrf)]).status == .notFound)
    }

    @Test func removingTheLastPasskeyTurnsTwoStepSignInOff() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        _ = try await Self.addPasskey(owner, authenticator: SoftwareAuthenticator(origin: TestProvider.issuer))
        let id = try #require(try await provider.query("SELECT id FROM webauthn_credentials").first?.int64("id"))
        let csrf = await owner.csrfToken(from: "/account/security")
        #expect(await owner.post("/account/passkeys/\(id)/delete", form: [("csrf_token", csrf)]).status == .ok, "asks first")
        #expect(await owner.post("/account/passkeys/\(id)/delete", form: [("csrf_token", csrf), ("confirm", "1")]).status == .seeOther)
        #expect(try await provider.count("recovery_codes") == 0)
        #expect(await provider.browser().signIn("alice").location == "/")
    }
}
