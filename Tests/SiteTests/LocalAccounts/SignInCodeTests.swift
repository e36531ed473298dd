import Foundation
import Testing
import WebTesting

/// Issue 12: signing in with a one-time code mailed to the account's address, the same pages
/// whatever was typed, and the safe merge it enables for "an account with this email exists".
@Suite struct SignInCodeTests {
    func ask(_ client: TestClient, for identifier: String, next: String? = nil) async -> TestResponse {
        var fields = [("identifier", identifier)]
        if let next { fields.append(("next", next)) }
        return await client.submit("/login/code", fields, tokenFrom: "/login/code")
    }

    func enter(_ client: TestClient, _ code: String) async -> TestResponse {
        await client.submit("/login/code/enter", [("code", code)], tokenFrom: "/login/code/enter")
    }

    @Test func aMailedCodeSignsInOnceAndProvesTheAddress() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@example.com")
        _ = try await site.deliverMail()
        let client = site.client()
        #expect(await client.get("/login").text.contains("href=\"/login/code\""))
        let asked = await ask(client, for: "ADA@example.com")
        #expect(asked.location == "/login/code/enter")
        #expect(await client.get("/login/code/enter").text.contains("ADA@example.com"))
        let code = try await site.mailedCode(to: "ada@example.com")
        #expect(try await site.query("SELECT code_hash FROM sign_in_codes").first?.string("code_hash") != code, "only a hash is kept")
        let wrong = await enter(client, "BBBB-BBBB")
        #expect(wrong.status.code == 422)
        #expect(wrong.text.contains("4 tries left"))
        let right = await enter(client, code)
        #expect(right.location == "/account")
        #expect(await client.follow(right).flashes == ["Signed in as ada."])
        #expect(try await site.user("ada")?.emailVerified == true, "the code proved the mailbox")
        #expect(try await site.auditCount("login") == 1)

        let again = site.client()
        await ask(again, for: "ada")
        _ = try await site.deliverMail()
        #expect(await enter(again, code).status.code == 422, "a code works once")
    }

    /// No enumeration: a name without an account (or a disabled one) gets the same pages, and a
    /// code that can never be right, counting down like a real one.
    @Test func anUnknownOrDisabledAccountLooksTheSameAndGetsNothing() async throws {
        let site = try await TestSite.make()
        let mallory = try await site.createUser("mallory", email: "mallory@example.com")
        try await site.services.database.write { db in _ = try db.execute("UPDATE users SET is_disabled = 1 WHERE id = ?", mallory.id) }
        for name in ["nobody@example.com", "mallory"] {
            let client = site.client()
            let asked = await ask(client, for: name)
            #expect(asked.location == "/login/code/enter")
            for remaining in [4, 3, 2, 1] {
                #expect(await enter(client, "BBBB-BBBB").text.contains("\(remaining) tr"))
            }
            #expect(await enter(client, "BBBB-BBBB").text.contains("expired or was tried too often"))
        }
        #expect(try await site.count("outbox") == 0)
        #expect(try await site.count("sign_in_codes") == 0)
    }

    @Test func codesAreLimitedPerAccountAndPerClient() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@example.com")
        for _ in 0..<5 { await ask(site.client(), for: "ada") }
        #expect(try await site.outboxKinds(to: "ada@example.com") == ["sign_in_code", "sign_in_code", "sign_in_code"])
        for _ in 0..<5 { await ask(site.client(), for: "someone-else") }
        let limited = await ask(site.client(), for: "ada")
        #expect(limited.status.code == 429)
        #expect(limited.headers["Retry-After"] != nil)
    }

    @Test func hostileInputGetsTheSamePages() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        for typed in [String(repeating: "a", count: 10_000), "ada\r\nBcc: x@example.com", "' OR 1=1 --", "\u{0}"] {
            #expect(await ask(client, for: typed).status.code == 303)
            #expect(await enter(client, String(repeating: "Z", count: 5_000)).status.code == 422)
        }
        #expect(await client.get("/login/code/enter").status.code == 200)
        #expect(await site.client().get("/login/code/enter").location == "/login/code", "nothing asked, nothing to enter")
    }

    @Test func withMailOffThePageSaysSo() async throws {
        let site = try await TestSite.make(["EMAIL_URL": "off"])
        #expect(await site.client().get("/login/code").text.contains("cannot mail sign-in codes"))
    }
}

/// Pre-hijacking (issue 12): someone signs up with a victim's address and connects their own
/// GitHub; when the victim recovers the account by mail, what the impostor attached goes.
@Suite struct PreHijackingTests {
    @Test func aResetLinkOrASignInCodeSettlesAnUnprovenAccount() async throws {
        for recovery in ["reset", "code"] {
            try await SocialSite.with([.github]) { social in
                try await social.site.createUser("victim", email: "victim@example.com")
                let impostor = social.site.client()
                await impostor.signIn("victim")
                _ = try await social.connect("github", impostor)
                #expect(try await social.rows().links == 1)
                _ = try await social.site.deliverMail()

                let owner = social.site.client()
                if recovery == "reset" {
                    await owner.submit("/password/forgot", [("identifier", "victim@example.com")], tokenFrom: "/password/forgot")
                    let mail = try #require(try await social.site.deliverMail().first { $0.text.contains("token=") })
                    let token = String(try #require(mail.text.range(of: #"token=[A-Za-z0-9_-]+"#, options: .regularExpression).map { mail.text[$0].dropFirst(6) }))
                    let done = await owner.submit("/password/reset", [("token", token), ("new_password", "a brand new passphrase"),
                                                                      ("new_password_confirmation", "a brand new passphrase")],
                                                  tokenFrom: "/password/reset?token=\(token)")
                    #expect(done.status.code == 303)
                } else {
                    await owner.submit("/login/code", [("identifier", "victim@example.com")], tokenFrom: "/login/code")
                    let code = try await social.site.mailedCode(to: "victim@example.com")
                    #expect(await owner.submit("/login/code/enter", [("code", code)], tokenFrom: "/login/code/enter").location == "/account")
                }
                #expect(try await social.rows().links == 0, "\(recovery): the impostor's GitHub is gone")
                #expect(try await social.site.user("victim")?.emailVerified == true)
                #expect(await social.signedInUsername(impostor) == nil, "\(recovery): the impostor's session ended")
                #expect(try await social.site.auditCount("ownership_settled") == 1)
            }
        }
    }

    @Test func aVerifiedAccountKeepsItsLinksThroughAReset() async throws {
        try await SocialSite.with([.github]) { social in
            let ada = try await social.site.createUser("ada", email: "ada@example.com")
            _ = try await social.site.services.database.write { db in try db.execute("UPDATE users SET email_verified = 1 WHERE id = ?", ada.id) }
            let client = social.site.client()
            await client.signIn("ada")
            _ = try await social.connect("github", client)
            let other = social.site.client()
            await other.submit("/login/code", [("identifier", "ada")], tokenFrom: "/login/code")
            await other.submit("/login/code/enter", [("code", try await social.site.mailedCode(to: "ada@example.com"))], tokenFrom: "/login/code/enter")
            #expect(try await social.rows().links == 1)
        }
    }
}
