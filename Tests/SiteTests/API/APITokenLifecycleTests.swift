import Accounts
import FakeProviders
import Identity
import Security
import Testing
import Web
import WebTesting

/// Issue 13: an API bearer token is a session too. A password change, "sign out of other
/// sessions", an administrator ending a user's sessions or disabling the account revoke it; the
/// account page lists the live ones and revokes each.
@Suite struct APITokenLifecycleTests {
    /// A live API token for `username`, as a front end's API sign-in would have issued.
    func token(for username: String, _ site: TestSite) async throws -> (token: String, userID: Int64) {
        let user = try #require(try await site.user(username))
        let issued = try await site.services.database.write { db in
            try APITokenRepository.issue(userID: user.id, lifetime: 3600, now: Clock.now, in: db)
        }
        return (issued.token, user.id)
    }

    @Test func aPasswordChangeRevokesAPITokens() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        await client.signUp("ada")
        let (token, _) = try await token(for: "ada", site)
        #expect(await client.api(.get, "/api/me", bearer: token).status.code == 200)
        #expect(await client.changePassword(current: "correct horse battery", new: "another good passphrase").status.code == 303)
        #expect(await client.api(.get, "/api/me", bearer: token).apiError == "invalid_token")
    }

    @Test func signingOutOfOtherSessionsRevokesAPITokens() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        await client.signUp("ada")
        let (token, _) = try await token(for: "ada", site)
        let page = await client.get("/account")
        #expect(page.text.contains("API sign-ins"), "the account page lists the token")
        #expect(page.text.contains("Sign out of other sessions"), "offered even without other browser sessions")
        await client.submit("/account/sessions/others/delete", [("confirm", "1")], tokenFrom: "/account")
        #expect(await client.api(.get, "/api/me", bearer: token).apiError == "invalid_token")
        #expect(await client.get("/account").status.code == 200, "this session stays")
    }

    @Test func oneTokenIsRevokedFromTheAccountPageAndNobodyElsesCanBe() async throws {
        let site = try await TestSite.make()
        let ada = site.client(), bob = site.client()
        await ada.signUp("ada")
        await bob.signUp("bob")
        let (token, _) = try await token(for: "ada", site)
        let id = try #require(try await site.query("SELECT id FROM api_tokens").first?.int64("id"))
        let foreign = await bob.submit("/account/api-tokens/\(id)/delete", [], tokenFrom: "/account")
        #expect(foreign.status.code == 404, "someone else's token is not even asked about")
        #expect(await bob.submit("/account/api-tokens/\(id)/delete", [("confirm", "1")], tokenFrom: "/account").status.code == 404)
        #expect(await ada.api(.get, "/api/me", bearer: token).status.code == 200)
        #expect(await ada.submit("/account/api-tokens/\(id)/delete", [], tokenFrom: "/account").status.code == 200, "asked first")
        #expect(await ada.api(.get, "/api/me", bearer: token).status.code == 200)
        #expect(await ada.submit("/account/api-tokens/\(id)/delete", [("confirm", "1")], tokenFrom: "/account").status.code == 303)
        #expect(await ada.api(.get, "/api/me", bearer: token).apiError == "invalid_token")
        #expect(await ada.submit("/account/api-tokens/not-a-number/delete", [], tokenFrom: "/account").status.code == 404)
    }

    @Test func anAdministratorEndingSessionsOrDisablingRevokesAPITokens() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob")
        let first = try await token(for: "bob", site)
        await admin.adminPost("/admin/users/\(bob.id)/sessions/end-all")
        #expect(await site.client().api(.get, "/api/me", bearer: first.token).apiError == "invalid_token")
        let second = try await token(for: "bob", site)
        await admin.adminPost("/admin/users/\(bob.id)/disable")
        await admin.adminPost("/admin/users/\(bob.id)/enable")
        #expect(await site.client().api(.get, "/api/me", bearer: second.token).apiError == "invalid_token",
                "re-enabling does not bring a revoked token back")
    }

    /// The account page names the app that holds each token: the provider it signed in with and
    /// the User-Agent it sent.
    @Test func theAccountPageNamesTheAppHoldingEachToken() async throws {
        try await SocialSite.with([.github]) { social in
            let app = social.site.client()
            app.defaultHeaders.set("User-Agent", "PhotoFrame/2.1 (iOS)")
            let signedIn = await app.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(signedIn.status.code == 201)
            let browser = social.site.client()
            let username = try #require(signedIn.json["user"]?["username"]?.stringValue)
            try await social.site.services.database.write { db in
                let user = try #require(try UserRepository.find(username: username, in: db))
                try Credentials.store(PasswordHasher(logN: 10).hash(TestSite.password), userID: user.id, now: Clock.now, in: db)
            }
            #expect(await browser.signIn(username).location == "/account")
            let page = await browser.get("/account")
            #expect(page.text.contains("GitHub · PhotoFrame/2.1 (iOS)"))
        }
    }
}
