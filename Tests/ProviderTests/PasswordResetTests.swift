import Identity
import Testing
import Web
import WebTesting
@testable import Provider

/// Issue 12: "Forgot your password?" on the provider, through the identity core's flow (the one
/// the site runs): a single-use link (30 minutes, void after any password change), the same
/// page whether or not the account exists, limits per address and per account; a reset ends
/// every session, revokes every token the user holds, and the owner is told.
@Suite struct PasswordResetTests {
    // Forms are posted with the CSRF token of the sign-in page: a dead link's page, or the
    // forgot page with mail off, has no form to take one from.
    @discardableResult
    func ask(_ provider: TestProvider, for identifier: String) async -> TestResponse {
        await provider.browser().submit("/password/forgot", [("identifier", identifier)], tokenFrom: "/login")
    }

    func setPassword(_ browser: TestClient, _ path: String, _ password: String, confirmation: String? = nil) async -> TestResponse {
        let token = String(path.split(separator: "=").last ?? "")
        return await browser.submit("/password/reset", [("token", token), ("new_password", password),
                                                        ("new_password_confirmation", confirmation ?? password)], tokenFrom: "/login")
    }

    @Test func theSignInPageLeadsToTheForgotForm() async throws {
        let provider = try await TestProvider.make()
        #expect(await provider.browser().get("/login").text.contains("href=\"/password/forgot\""))
        let form = await provider.browser().get("/password/forgot")
        #expect(form.status == .ok)
        #expect(form.text.contains("name=\"identifier\""))
    }

    @Test func theAnswerIsTheSameForAKnownAndAnUnknownAccount() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let known = await ask(provider, for: "alice")
        let byEmail = await ask(provider, for: "Alice@Example.com")
        let unknown = await ask(provider, for: "nobody@example.com")
        #expect(known.status == .ok && unknown.status == .ok)
        #expect(known.text.contains("If an account matches"))
        #expect(known.text == unknown.text, "not a byte tells them apart")
        #expect(byEmail.text == unknown.text)
        let mail = try await provider.deliverMail()
        #expect(mail.count == 2, "one link per request that named alice, none for nobody")
        #expect(mail.allSatisfy { $0.to == ["alice@example.com"] })
    }

    @Test func theMailedLinkSetsANewPasswordOnce() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        await ask(provider, for: "alice")
        let mail = try #require(try await provider.deliverMail().first)
        #expect(mail.subject == "Reset your Latchkey ID password")
        #expect(mail.text.contains(TestProvider.issuer + "/password/reset?token="), "the link is on the issuer URL")
        let path = try #require(mail.resetPath)
        #expect(try await provider.query("SELECT data_enc FROM outbox").first?.string("data_enc") == "", "the link is not kept once sent")

        let visitor = provider.browser()
        let form = await visitor.get(path)
        #expect(form.status == .ok)
        #expect(form.text.contains("alice"))
        let weak = await setPassword(visitor, path, "short")
        #expect(weak.status == .unprocessableContent)
        let mismatched = await setPassword(visitor, path, "a brand new passphrase", confirmation: "another passphrase")
        #expect(mismatched.status == .unprocessableContent)
        let done = await setPassword(visitor, path, "a brand new passphrase")
        #expect(done.status == .seeOther)
        #expect(done.location == "/password/reset/done")
        #expect(await visitor.follow(done).text.contains("Your password is changed"))

        #expect(await provider.browser().signIn("alice", password: "a brand new passphrase").status == .seeOther)
        #expect(await provider.browser().signIn("alice").status == .unauthorized, "the old password is gone")
        #expect(await visitor.get(path).status == .gone, "the link works once")
        #expect(await setPassword(provider.browser(), path, "yet another passphrase").status == .gone)
    }

    @Test func aLinkDiesWhenThePasswordChangesAnotherWay() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        await ask(provider, for: "alice")
        await ask(provider, for: "alice")
        let paths = try await provider.deliverMail().compactMap(\.resetPath)
        try #require(paths.count == 2)
        #expect(await setPassword(provider.browser(), paths[1], "a brand new passphrase").status == .seeOther)
        #expect(await provider.browser().get(paths[0]).status == .gone, "void after the password changed")
    }

    @Test func aLinkDiesAfterThirtyMinutes() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        await ask(provider, for: "alice")
        let path = try #require(try await provider.deliverMail().first?.resetPath)
        provider.clock.advance(PasswordResets.lifetime + 1)
        #expect(await provider.browser().get(path).status == .gone)
        #expect(await setPassword(provider.browser(), path, "a brand new passphrase").status == .gone)
        #expect(await provider.browser().signIn("alice").status == .seeOther, "the password is unchanged")
    }

    @Test func aResetEndsEverySessionAndRevokesTheUsersTokens() async throws {
        let provider = try await TestProvider.make()
        let alice = try await provider.createUser("alice")
        try await provider.createUser("bob")
        let client = try await provider.registerClient(grants: [.authorizationCode, .refreshToken, .password], skipConsent: true)
        let laptop = provider.browser(), phone = provider.browser()
        await laptop.signIn("alice")
        await phone.signIn("alice")
        let stolen = try await provider.userTokens(client)
        let bobs = try await provider.userTokens(client, username: "bob")
        let pendingCode = try await laptop.authorizationCode(authorizeParameters(client))

        await ask(provider, for: "alice")
        let path = try #require(try await provider.deliverMail().first?.resetPath)
        #expect(await setPassword(provider.browser(), path, "a brand new passphrase").status == .seeOther)

        #expect(try await provider.query("SELECT 1 FROM sessions WHERE user_id = ?", alice.id).isEmpty, "every session ended")
        #expect(await laptop.get("/account").status == .seeOther)
        #expect(await phone.get("/account").status == .seeOther)
        let refreshed = await provider.browser().token([("grant_type", "refresh_token"), ("refresh_token", try #require(stolen.refresh))],
                                                       headers: client.basic)
        #expect(refreshed.oauthError == "invalid_grant", "a stolen refresh token dies with the reset")
        #expect(await provider.browser().get("/oauth/userinfo", headers: ["Authorization": "Bearer \(stolen.access)"]).status == .unauthorized)
        let exchanged = await provider.browser().token([("grant_type", "authorization_code"), ("code", pendingCode),
                                                        ("redirect_uri", client.redirectURI)], headers: client.basic)
        #expect(exchanged.oauthError == "invalid_grant", "a code not yet exchanged is gone too")
        #expect(await provider.userinfo(bobs.access)["sub"] != nil, "other people's tokens are untouched")
    }

    @Test func theOwnerIsToldOfTheReset() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        await ask(provider, for: "alice")
        let path = try #require(try await provider.deliverMail().first?.resetPath)
        #expect(await setPassword(provider.browser(), path, "a brand new passphrase").status == .seeOther)
        let queued = try await provider.query("SELECT kind, recipient FROM outbox WHERE status = 'pending'")
        #expect(try queued.map { try $0.string("kind") } == ["password_changed"])
        let notice = try #require(try await provider.deliverMail().first)
        #expect(notice.to == ["alice@example.com"])
        #expect(notice.subject == "Your Latchkey ID password was changed")
        #expect(notice.text.contains(TestProvider.issuer + "/password/forgot"))
    }

    @Test func requestsAreLimitedPerAccountSilentlyAndPerAddressOpenly() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        for _ in 0..<5 { #expect(await ask(provider, for: "alice").status == .ok) }
        #expect(try await provider.count("outbox") == PasswordResets.limitPerAccount.limit, "the account's limit is silent")
        for _ in 0..<5 { await ask(provider, for: "someone") }
        let limited = await ask(provider, for: "alice")
        #expect(limited.status == .tooManyRequests, "an address asking for too many links is told")
        #expect(limited.headers["Retry-After"] != nil)
    }

    @Test func hostileInputGetsCleanPages() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        for identifier in ["", String(repeating: "a", count: 5000) + "@example.com", "alice\r\nBcc: victim@example.com", "alice\u{0}", "%00' OR 1=1 --"] {
            let page = await ask(provider, for: identifier)
            #expect(page.status == .ok, "\(identifier.prefix(20))")
            #expect(page.text.contains("If an account matches"))
        }
        #expect(try await provider.count("outbox") == 0)
        for token in [String(repeating: "A", count: 10_000), "abc%0D%0ALocation:%20http://evil.test", ""] {
            let page = await provider.browser().get("/password/reset?token=" + token)
            #expect(page.status == .gone, "\(token.prefix(20)): \(page.status.code)")
            #expect(page.text.contains("This link has expired"))
        }
        #expect(await provider.browser().get("/password/reset?token=%FF%FE").status == .badRequest, "not UTF-8: refused before any lookup")
        for token in [String(repeating: "A", count: 10_000), "abc\r\nLocation: http://evil.test"] {
            let browser = provider.browser()
            let reply = await browser.submit("/password/reset", [("token", token), ("new_password", "a brand new passphrase"),
                                                                 ("new_password_confirmation", "a brand new passphrase")], tokenFrom: "/login")
            #expect(reply.status == .gone)
            #expect(reply.headers["Location"] == nil)
        }
    }

    @Test func withMailOffThePagesSayResetIsUnavailable() async throws {
        let provider = try await TestProvider.make(["EMAIL_URL": "off"])
        try await provider.createUser("alice")
        #expect(provider.services.core.outbox == nil)
        let form = await provider.browser().get("/password/forgot")
        #expect(form.text.contains("cannot send email"))
        #expect(!form.text.contains("name=\"identifier\""))
        let asked = await ask(provider, for: "alice")
        #expect(asked.status == .ok)
        #expect(asked.text.contains("cannot send email"))
        #expect(try await provider.count("password_resets") == 0)
    }
}
