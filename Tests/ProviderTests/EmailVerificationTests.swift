import Identity
import Testing
import Web
import WebTesting
@testable import Provider

/// Issue 12: `email_verified` tells the truth. A provider sign-up mails a code (the identity
/// core's: hashed, 15 minutes, five tries, resends limited); only that code (or an
/// administrator's `create-user --verified`) makes the address verified, and a new address is
/// unverified again. id_tokens and userinfo say exactly what is stored.
@Suite struct EmailVerificationTests {
    func verify(_ browser: TestClient, _ code: String) async -> TestResponse {
        await browser.submit("/account/email/verify", [("code", code)], tokenFrom: "/account")
    }

    func changeEmail(_ browser: TestClient, to email: String, password: String = TestProvider.password) async -> TestResponse {
        await browser.submit("/account/email", [("email", email), ("current_password", password)], tokenFrom: "/account")
    }

    @Test func aNewSignUpIsUnverifiedInItsIDTokenAndUserinfo() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        #expect(await browser.signUp("carol").status == .seeOther)
        let (claims, access) = try await provider.idToken(browser, client: client)
        #expect(claims.string("email") == "carol@example.com")
        #expect(claims.bool("email_verified") == false)
        #expect(await provider.userinfo(access)["email_verified"] as? Bool == false)
        let mail = try #require(try await provider.deliverMail().first, "sign-up mails a code")
        #expect(mail.to == ["carol@example.com"])
        #expect(mail.subject?.hasPrefix("Your Latchkey ID code: ") == true)
        #expect(mail.text.contains(TestProvider.issuer + "/account"))
    }

    @Test func theMailedCodeVerifiesTheAddressAndTheClaimsThenSaySo() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signUp("carol")
        let page = await browser.get("/account")
        #expect(page.status == .ok)
        #expect(page.text.contains("Verify your email address"))
        #expect(page.text.contains("(not verified)"))
        let code = try await provider.mailedCode()
        #expect(code.range(of: #"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$"#, options: .regularExpression) != nil)
        #expect(try await provider.query("SELECT code_hash FROM email_verifications").first?.string("code_hash") != code, "only a hash is kept")

        let wrong = await verify(browser, "BBBB-BBBB")
        #expect(wrong.status == .unprocessableContent)
        #expect(wrong.text.contains("4 tries left"))
        let right = await verify(browser, code.lowercased())
        #expect(right.status == .seeOther)
        #expect(await browser.follow(right).flashes.contains("Your email address is verified."))
        #expect(!(await browser.get("/account").text.contains("Verify your email address")))
        #expect(await verify(browser, code).status == .unprocessableContent, "a code works once")

        let (claims, access) = try await provider.idToken(browser, client: client)
        #expect(claims.bool("email_verified") == true)
        #expect(await provider.userinfo(access)["email_verified"] as? Bool == true)
    }

    @Test func wrongCodesCountDownAndTheFifthKillsTheCode() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        await browser.signUp("carol")
        let code = try await provider.mailedCode()
        var answers: [String] = []
        for _ in 0..<5 {
            let reply = await verify(browser, "BBBB-BBBB")
            answers.append(reply.text.contains("expired or was tried too often") ? "dead"
                           : reply.text.range(of: #"\d tr(y|ies) left"#, options: .regularExpression).map { String(reply.text[$0]) } ?? "?")
        }
        #expect(answers == ["4 tries left", "3 tries left", "2 tries left", "1 try left", "dead"])
        let late = await verify(browser, code)
        #expect(late.status == .unprocessableContent)
        #expect(late.text.contains("expired or was tried too often"))
        #expect(try await provider.query("SELECT email_verified FROM users").first?.bool("email_verified") == false)
    }

    @Test func aCodeExpiresAfterFifteenMinutesAndResendsAreLimited() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        await browser.signUp("carol")
        let first = try await provider.mailedCode()
        provider.clock.advance(EmailVerification.lifetime + 1)
        #expect(await verify(browser, first).status == .unprocessableContent, "void after 15 minutes")

        var flashes: [String] = []
        for _ in 0..<4 {
            let sent = await browser.submit("/account/email/verify/resend", [], tokenFrom: "/account")
            #expect(sent.location == "/account#verify-email")
            flashes += await browser.follow(sent).flashes
        }
        #expect(flashes.filter { $0.hasPrefix("A new code is on its way") }.count == EmailVerification.resendLimit.limit)
        #expect(flashes.last?.contains("several codes already") == true)
        let codes = try await provider.deliverMail().compactMap(\.code)
        #expect(codes.count == EmailVerification.resendLimit.limit)
        #expect(await verify(browser, try #require(codes.first)).status == .unprocessableContent, "a new code replaces the old")
        #expect(await verify(browser, try #require(codes.last)).status == .seeOther)
    }

    /// A move, as on the site: the new address replaces the old one only with the code sent
    /// there, so `email_verified` never speaks for an address nobody proved; the old one is told.
    @Test func movingTheAddressNeedsTheNewAddresssCodeAndTellsTheOldOne() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(skipConsent: true)
        try await provider.createUser("alice", verified: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        #expect(try await provider.idToken(browser, client: client).claims.bool("email_verified") == true, "the CLI's --verified")

        #expect(await changeEmail(browser, to: "alice@new.example", password: "not her password").status == .unprocessableContent)
        #expect(await changeEmail(browser, to: "bob@example.com\r\nBcc: eve@example.com").status == .unprocessableContent)
        try await provider.createUser("bob")
        _ = try await provider.deliverMail()
        // An address another account has: the same answer, and a note to it instead of a code.
        #expect(await changeEmail(browser, to: "BOB@example.com").status == .seeOther)
        let note = try await provider.deliverMail()
        #expect(note.map(\.to) == [["BOB@example.com"]] && note.allSatisfy { $0.code == nil })

        let asked = await changeEmail(browser, to: "alice@new.example")
        #expect(asked.status == .seeOther)
        let (before, _) = try await provider.idToken(browser, client: client)
        #expect(before.string("email") == "alice@example.com", "nothing changes before the code")
        #expect(before.bool("email_verified") == true)
        let mail = try await provider.deliverMail()
        let code = try #require(mail.first { $0.to == ["alice@new.example"] }?.code, "a code for the new address")
        #expect(await verify(browser, code).status == .seeOther)
        let (claims, access) = try await provider.idToken(browser, client: client)
        #expect(claims.string("email") == "alice@new.example")
        #expect(claims.bool("email_verified") == true, "the code proved it")
        #expect(await provider.userinfo(access)["email_verified"] as? Bool == true)
        #expect(try await provider.deliverMail().first { $0.to == ["alice@example.com"] }?.subject == "Your Latchkey ID email address was changed")
    }

    @Test func aCodeSentToTheOldAddressCannotVerifyTheNewOne() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        await browser.signUp("carol")
        let oldCode = try await provider.mailedCode()
        #expect(await changeEmail(browser, to: "carol@new.example").status == .seeOther)
        #expect(await verify(browser, oldCode).status == .unprocessableContent)
        #expect(try await provider.query("SELECT email_verified FROM users").first?.bool("email_verified") == false)
    }

    @Test func theAccountPageNeedsASignedInUserAndHostileCodesGetCleanPages() async throws {
        let provider = try await TestProvider.make()
        let anonymous = await provider.browser().get("/account")
        #expect(anonymous.status == .seeOther)
        #expect(anonymous.location?.hasPrefix("/login") == true)
        let browser = provider.browser()
        await browser.signUp("carol")
        for code in [String(repeating: "B", count: 100_000), "BBBB\r\nBBBB", "\u{0}", "<script>alert(1)</script>"] {
            let reply = await verify(browser, code)
            #expect(reply.status == .unprocessableContent)
            #expect(!reply.text.contains("<script>alert"))
        }
        #expect(await changeEmail(browser, to: String(repeating: "a", count: 5000) + "@example.com").status == .unprocessableContent)
    }

    @Test func withMailOffNoCodeIsPromisedAndTheAddressStaysUnverified() async throws {
        let provider = try await TestProvider.make(["EMAIL_URL": "off"])
        let browser = provider.browser()
        #expect(await browser.signUp("carol").status == .seeOther)
        let page = await browser.get("/account")
        #expect(!page.text.contains("Verify your email address"))
        #expect(page.text.contains("cannot send email"))
        #expect(try await provider.count("email_verifications") == 0)
        await browser.submit("/account/email/verify/resend", [], tokenFrom: "/account")
        #expect(try await provider.count("email_verifications") == 0)
    }
}
