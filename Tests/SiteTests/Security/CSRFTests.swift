import Testing
import Web
import WebTesting

/// Every state-changing form needs the session's CSRF token.
@Suite struct CSRFTests {
    static let forms: [(String, [(String, String)])] = [
        ("/login", [("username", "alice"), ("password", TestSite.password)]),
        ("/signup", [("username", "bob"), ("email", "bob@example.com"), ("password", TestSite.password),
                     ("password_confirmation", TestSite.password)]),
        ("/logout", []),
        ("/account/password", [("current_password", TestSite.password), ("new_password", "a brand new passphrase"),
                               ("new_password_confirmation", "a brand new passphrase")]),
        ("/account/sessions/others/delete", []),
    ]

    private func signedInSite() async throws -> (TestSite, TestClient) {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        _ = await client.get("/account")
        return (site, client)
    }

    private func expectCSRFRefusal(_ response: TestResponse) {
        #expect(response.status.code == 403)
        #expect(response.isHTML)
        #expect(response.text.contains("CSRF"))
        #expect(response.text.contains("did not come from this site"))
    }

    @Test(arguments: forms.map(\.0))
    func missingTokenIsRefusedWithAPageThatExplains(path: String) async throws {
        let (site, client) = try await signedInSite()
        let fields = Self.forms.first { $0.0 == path }!.1
        expectCSRFRefusal(await client.post(path, form: fields))
        #expect(try await site.count("users") == 1)
        #expect(await client.get("/account").status.code == 200)
    }

    @Test(arguments: forms.map(\.0))
    func forgedTokenIsRefused(path: String) async throws {
        let (_, client) = try await signedInSite()
        let fields = Self.forms.first { $0.0 == path }!.1
        expectCSRFRefusal(await client.post(path, form: [("csrf_token", "forged-token-value-that-is-43-characters-xx")] + fields))
        expectCSRFRefusal(await client.post(path, form: [("csrf_token", "")] + fields))
        #expect(await client.get("/account").status.code == 200)
    }

    @Test func anonymousVisitorWithoutASessionIsRefused() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        expectCSRFRefusal(await client.post("/login", form: [("username", "alice"), ("password", TestSite.password), ("csrf_token", "x")]))
        #expect(client.sessionID == nil)
    }

    @Test func tokenFromAnotherSessionIsRefused() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let victim = site.client(), attacker = site.client()
        await victim.signIn("alice")
        let attackerToken = await attacker.csrfToken(from: "/login")
        #expect(!attackerToken.isEmpty)
        expectCSRFRefusal(await victim.post("/logout", form: [("csrf_token", attackerToken)]))
        #expect(await victim.get("/account").status.code == 200)
    }

    @Test func tokenIssuedBeforeSignInStopsWorkingAfterIt() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        let early = await client.csrfToken(from: "/login")
        await client.signIn("alice")
        expectCSRFRefusal(await client.post("/logout", form: [("csrf_token", early)]))
    }

    @Test func tokenInTheHeaderIsAccepted() async throws {
        let (site, client) = try await signedInSite()
        let token = await client.csrfToken(from: "/account")
        let response = await client.post("/logout", form: [], headers: ["X-CSRF-Token": token])
        #expect(response.status.code == 303)
        #expect(try await site.sessionCount(of: "alice") == 0)
    }

    @Test func wrongTokenInTheHeaderIsRefusedEvenWithTheRightOneInTheForm() async throws {
        let (_, client) = try await signedInSite()
        let token = await client.csrfToken(from: "/account")
        expectCSRFRefusal(await client.post("/logout", form: [("csrf_token", token)], headers: ["X-CSRF-Token": "wrong"]))
    }

    @Test func refusalIsJSONForClientsThatAskForIt() async throws {
        let (_, client) = try await signedInSite()
        let response = await client.post("/logout", form: [], headers: ["Accept": "application/json"])
        #expect(response.status.code == 403)
        #expect(response.jsonObject()?["error"] as? String == "forbidden")
    }
}
