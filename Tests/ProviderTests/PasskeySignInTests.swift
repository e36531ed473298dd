import FakeAuthenticator
import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// Issue 14: signing in to Latchkey ID with a passkey alone, from the sign-in page, in the
/// middle of an authorization request.
@Suite struct PasskeySignInTests {
    /// Signs in with `authenticator` alone from the sign-in page; `next` is what the page carried.
    static func signIn(_ browser: TestClient, authenticator: SoftwareAuthenticator, next: String? = nil,
                       tampering: Tampering = Tampering()) async throws -> TestResponse {
        let page = "/login" + (next.map { "?next=" + FormData.encode($0) } ?? "")
        let token = await browser.csrfToken(from: page)
        let options = await browser.postJSON("/login/passkey/options", json: "{}", headers: ["X-CSRF-Token": token])
        try #require(options.status == .ok, "options: \(options.status.code) \(options.text.prefix(200))")
        #expect(options.fields["userVerification"] as? String == "required")
        #expect((options.fields["allowCredentials"] as? [Any])?.isEmpty ?? true, "discoverable: the browser names the account")
        let challenge = try #require((options.fields["challenge"] as? String).flatMap(Base64URL.decode))
        let assertion = try authenticator.authenticate(rpID: PasskeySecondFactorTests.rpID, challenge: challenge, tampering: tampering)
        return await browser.postJSON("/login/passkey" + (next.map { "?next=" + FormData.encode($0) } ?? ""),
                                      json: String(decoding: assertion.json, as: UTF8.self), headers: ["X-CSRF-Token": token])
    }

    @Test func aPasskeyAloneSignsInAndTheIDTokenSaysSo() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let authenticator = SoftwareAuthenticator(origin: TestProvider.issuer)
        let owner = provider.browser()
        await owner.signIn("alice")
        #expect(try await PasskeySecondFactorTests.addPasskey(owner, authenticator: authenticator).status == .ok)

        let browser = provider.browser()
        let login = await browser.get("/login")
        #expect(login.text.contains("autocomplete=\"username webauthn\""), "autofill offers passkeys")
        #expect(login.text.contains("Sign in with a passkey") && login.text.contains("/js/provider-passkeys.js"))
        let parameters = authorizeParameters(client)
        let next = try #require(queryParameters(await browser.get(authorizePath(parameters)).location)["next"])
        let before = browser.cookies
        let done = try await Self.signIn(browser, authenticator: authenticator, next: next)
        #expect(done.status == .ok, "\(done.text)")
        #expect(done.fields["redirect"] as? String == next)
        #expect(browser.cookies != before, "a new session id at sign-in")
        let code = try await browser.authorizationCode(parameters)
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider)
        #expect(claims["amr"] == ["hwk", "mfa"])
        #expect(claims.string("acr") == "2")
    }

    @Test func withoutUserVerificationOrWithATamperedAnswerNobodySignsIn() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let authenticator = SoftwareAuthenticator(origin: TestProvider.issuer)
        let owner = provider.browser()
        await owner.signIn("alice")
        #expect(try await PasskeySecondFactorTests.addPasskey(owner, authenticator: authenticator).status == .ok)

        var cases: [Tampering] = []
        var noVerification = Tampering(); noVerification.userVerified = false; cases.append(noVerification)
        var origin = Tampering(); origin.origin = "https://evil.example"; cases.append(origin)
        var otherKey = Tampering(); otherKey.signWithAnotherKey = true; cases.append(otherKey)
        for tampering in cases {
            let browser = provider.browser()
            let refused = try await Self.signIn(browser, authenticator: authenticator, tampering: tampering)
            #expect(refused.status == .badRequest, "\(refused.text)")
            #expect(refused.fields["error"] is String)
            #expect(await browser.get("/account").location?.hasPrefix("/login") == true)
        }
        let browser = provider.browser()
        let token = await browser.csrfToken(from: "/login")
        let garbage = await browser.postJSON("/login/passkey", json: "{\"id\": [1, 2", headers: ["X-CSRF-Token": token])
        #expect(garbage.status == .badRequest)
    }

    @Test func startingIsLimitedPerAddress() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        let token = await browser.csrfToken(from: "/login")
        var statuses: [Int] = []
        for _ in 0..<61 {
            statuses.append(Int(await browser.postJSON("/login/passkey/options", json: "{}", headers: ["X-CSRF-Token": token]).status.code))
        }
        #expect(statuses.prefix(60).allSatisfy { $0 == 200 })
        #expect(statuses.last == 429)
    }
}
