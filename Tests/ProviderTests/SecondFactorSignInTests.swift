import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// Provider users' second factor: an authenticator app set up from the security page, the
/// half-signed-in state after the password, recovery codes, and what id_tokens say about it.
@Suite struct SecondFactorSignInTests {
    /// A code that is surely not `code`.
    static func wrong(_ code: String) -> String {
        let number = (Int(code)! + 500_000) % 1_000_000
        return String(repeating: "0", count: 6 - String(number).count) + String(number)
    }

    @Test func settingUpAnAppMakesSignInAskForItsCode() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        #expect(app.recoveryCodes.count == 10)
        #expect(Set(app.recoveryCodes).count == 10)
        let page = await owner.get("/account/security")
        #expect(page.text.contains("<strong>on</strong>"))
        #expect(page.text.contains("<strong>10</strong> unused recovery codes"))
        #expect(!page.text.contains(app.recoveryCodes[0]), "recovery codes are shown once")

        let browser = provider.browser()
        let password = await browser.signIn("alice")
        #expect(password.status == .seeOther)
        #expect(password.location == "/login/second-factor")
        #expect(await browser.get("/account").location?.hasPrefix("/login") == true, "the password alone signs nobody in")
        let form = await browser.get("/login/second-factor")
        #expect(form.status == .ok)
        #expect(form.text.contains("authenticator app"))

        provider.clock.advance(30)
        let done = await browser.secondFactor(app.code(at: provider.clock.now))
        #expect(done.status == .seeOther)
        #expect(done.location == "/")
        #expect(await browser.get("/account").status == .ok)
    }

    @Test func wrongAndReusedCodesAreRefused() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)

        let browser = provider.browser()
        await browser.signIn("alice")
        let current = app.code(at: provider.clock.now)
        let wrong = await browser.secondFactor(Self.wrong(current))
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.text.contains("not right"))
        let reused = await browser.secondFactor(current)
        #expect(reused.status == .unprocessableContent, "the code that confirmed the app was used already")
        #expect(reused.text.contains("used already"))
        #expect(await browser.get("/account").location?.hasPrefix("/login") == true)

        provider.clock.advance(30)
        let next = app.code(at: provider.clock.now)
        #expect(await browser.secondFactor(next).status == .seeOther)
        let again = provider.browser()
        await again.signIn("alice")
        #expect(await again.secondFactor(next).status == .unprocessableContent, "each code works once")
    }

    @Test func tooManyWrongCodesAreThrottled() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        provider.clock.advance(60)
        let browser = provider.browser()
        await browser.signIn("alice")
        let right = app.code(at: provider.clock.now)
        for _ in 0..<5 { #expect(await browser.secondFactor(Self.wrong(right)).status == .unprocessableContent) }
        let limited = await browser.secondFactor(right)
        #expect(limited.status == .tooManyRequests)
        #expect(limited.headers["Retry-After"] != nil)
    }

    @Test func aRecoveryCodeWorksOnce() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)

        let first = provider.browser()
        await first.signIn("alice")
        let used = await first.secondFactor(app.recoveryCodes[0].uppercased(), method: "recovery")
        #expect(used.status == .seeOther)
        #expect(await first.get("/account").status == .ok)

        let second = provider.browser()
        await second.signIn("alice")
        let refused = await second.secondFactor(app.recoveryCodes[0], method: "recovery")
        #expect(refused.status == .unprocessableContent)
        #expect(refused.text.contains("used already"))
        #expect(await second.secondFactor("not-a-code", method: "recovery").status == .unprocessableContent)
    }

    @Test func newRecoveryCodesReplaceTheOldOnesAndTurningOffNeedsThePassword() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        let token = await owner.csrfToken(from: "/account/security")

        #expect(await owner.post("/account/recovery-codes", form: [("csrf_token", token), ("current_password", "wrong")]).status
                == .unprocessableContent)
        let fresh = await owner.post("/account/recovery-codes", form: [("csrf_token", token), ("current_password", TestProvider.password)])
        #expect(fresh.status == .ok)
        let codes = TestClient.recoveryCodes(in: fresh.text)
        #expect(codes.count == 10)
        #expect(Set(codes).isDisjoint(with: app.recoveryCodes))
        let browser = provider.browser()
        await browser.signIn("alice")
        #expect(await browser.secondFactor(app.recoveryCodes[1], method: "recovery").status == .unprocessableContent)

        #expect(await owner.post("/account/totp/remove", form: [("csrf_token", token), ("current_password", "wrong")]).status
                == .unprocessableContent)
        let removed = await owner.post("/account/totp/remove", form: [("csrf_token", token), ("current_password", TestProvider.password)])
        #expect(removed.status == .seeOther)
        #expect(try await provider.count("recovery_codes") == 0)
        #expect(await provider.browser().signIn("alice").location == "/", "the password alone signs in again")
    }

    @Test func theHalfSignedInSessionCannotAuthorize() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let owner = provider.browser()
        await owner.signIn("alice")
        _ = try await owner.enrollAuthenticatorApp(at: provider.clock.now)

        let browser = provider.browser()
        await browser.signIn("alice")
        let parameters = authorizeParameters(client)
        let get = await browser.get(authorizePath(parameters))
        #expect(get.status == .seeOther)
        #expect(get.location?.hasPrefix("/login?next=") == true)
        let token = await browser.csrfToken(from: "/login/second-factor")
        let post = await browser.post("/oauth/authorize", form: parameters + [("csrf_token", token), ("decision", "allow")])
        #expect(post.status == .seeOther)
        #expect(post.location?.hasPrefix("/login") == true)
        let none = await browser.get(authorizePath(authorizeParameters(client, extra: [("prompt", "none")])))
        #expect(queryParameters(none.location)["error"] == "login_required")
        #expect(try await provider.count("authorization_codes") == 0)
    }

    @Test func signInAfterThePasswordReturnsToTheAuthorizationRequest() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)

        let browser = provider.browser()
        let parameters = authorizeParameters(client, nonce: "n-1")
        let toLogin = await browser.get(authorizePath(parameters))
        let next = try #require(queryParameters(toLogin.location)["next"])
        let password = await browser.signIn("alice", next: next)
        #expect(password.location == "/login/second-factor")
        provider.clock.advance(30)
        let signedIn = provider.clock.now
        let done = await browser.secondFactor(app.code(at: signedIn))
        #expect(done.location == next)
        provider.clock.advance(5)
        let code = try await browser.authorizationCode(parameters)
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider, nonce: "n-1")
        #expect(claims["amr"] == ["pwd", "otp", "mfa"])
        #expect(claims.string("acr") == "2")
        #expect(claims.int("auth_time") == signedIn)
    }

    @Test func idTokensSayHowTheUserSignedInThroughExchangeAndRefresh() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        let signedIn = provider.clock.now
        await browser.signIn("alice")
        provider.clock.advance(10)
        let code = try await browser.authorizationCode(authorizeParameters(client))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                                        headers: client.basic)
        let claims = try JWT.parse(try #require(reply.fields["id_token"] as? String)).claims
        #expect(claims["amr"] == ["pwd"])
        #expect(claims.string("acr") == "1")
        #expect(claims.int("auth_time") == signedIn)

        provider.clock.advance(100)
        let refresh = try #require(reply.fields["refresh_token"] as? String)
        let refreshed = await browser.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: client.basic)
        let again = try JWT.parse(try #require(refreshed.fields["id_token"] as? String)).claims
        #expect(again["amr"] == ["pwd"])
        #expect(again.string("acr") == "1")
        #expect(again.int("auth_time") == signedIn)
    }

    @Test func multiFactorClaimsSurviveRefresh() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        let browser = provider.browser()
        await browser.signIn("alice")
        provider.clock.advance(30)
        await browser.secondFactor(app.code(at: provider.clock.now))
        let code = try await browser.authorizationCode(authorizeParameters(client))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                                        headers: client.basic)
        let refresh = try #require(reply.fields["refresh_token"] as? String)
        let refreshed = await browser.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: client.basic)
        let claims = try JWT.parse(try #require(refreshed.fields["id_token"] as? String)).claims
        #expect(claims["amr"] == ["pwd", "otp", "mfa"])
        #expect(claims.string("acr") == "2")
    }

    @Test func thePasswordGrantIsRefusedForAnAccountWithASecondFactor() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password])
        let before = await provider.browser().token([("grant_type", "password"), ("username", "alice"), ("password", TestProvider.password)],
                                                    headers: client.basic)
        let claims = try JWT.parse(try #require(before.fields["id_token"] as? String)).claims
        #expect(claims["amr"] == ["pwd"])
        let owner = provider.browser()
        await owner.signIn("alice")
        _ = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        let after = await provider.browser().token([("grant_type", "password"), ("username", "alice"), ("password", TestProvider.password)],
                                                   headers: client.basic)
        #expect(after.status == .badRequest)
        #expect(after.oauthError == "invalid_grant")
    }

    @Test func hostileCodesGetThePageAgainNeverAnError() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        _ = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        let browser = provider.browser()
        await browser.signIn("alice")
        for (code, method) in [(String(repeating: "9", count: 100_000), "totp"), ("１２３４５６", "totp"), ("\u{0}';--", "recovery"),
                               ("", "totp")] {
            let reply = await browser.secondFactor(code, method: method)
            #expect(reply.status == .unprocessableContent, "\(code.prefix(10)): \(reply.status.code)")
        }
        let confirm = await owner.post("/account/totp/confirm", form: [("csrf_token", await owner.csrfToken(from: "/account/security")),
                                                                        ("code", "123456")])
        #expect(confirm.status == .seeOther, "no app waiting for a code: back to the page")
    }

    @Test func theSecondFactorPageWithoutAPendingSignInStartsOver() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        #expect(await browser.get("/login/second-factor").location == "/login")
        let token = await browser.csrfToken(from: "/login")
        let post = await browser.post("/login/second-factor", form: [("csrf_token", token), ("method", "nonsense"), ("code", "123456")])
        #expect(post.status == .seeOther)
        #expect(post.location == "/login")
    }

    @Test func thePendingSignInExpires() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        let browser = provider.browser()
        await browser.signIn("alice")
        let token = await browser.csrfToken(from: "/login/second-factor")
        provider.clock.advance(601)
        let late = await browser.post("/login/second-factor", form: [("csrf_token", token), ("method", "totp"),
                                                                     ("code", app.code(at: provider.clock.now))])
        #expect(late.location == "/login")
        #expect(await browser.get("/account").location?.hasPrefix("/login") == true)
    }
}
