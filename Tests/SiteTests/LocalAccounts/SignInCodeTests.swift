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
