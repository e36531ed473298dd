import Foundation
import Security
import Testing
import WebTesting

/// Signing out ends the session on the server and in the browser.
@Suite struct SignOutTests {
    @Test func signOutDeletesTheSessionRowAndExpiresTheCookie() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let id = try #require(client.sessionID)
        #expect(try await site.sessionCount(of: "alice") == 1)

        let response = await client.signOut()
        #expect(response.status.code == 303)
        #expect(response.location == "/?signed_out=1")
        let cookie = try #require(response.setCookie())
        #expect(cookie.hasPrefix("latchkey_session=;"))
        #expect(TestResponse.cookieAttributes(cookie).contains("Max-Age=0"))
        #expect(client.sessionID == nil)
        #expect(try await site.sessionCount(of: "alice") == 0)
        #expect(try await site.query("SELECT id_hash FROM sessions WHERE id_hash = ?", Hex.encode(SHA256.hash(id))).isEmpty)
    }

    @Test func accountPageSendsToSignInAfterSignOut() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        await client.signOut()
        let response = await client.get("/account")
        #expect(response.status.code == 303)
        #expect(response.location == "/login?next=%2Faccount")
    }

    @Test func replayedCookieFromBeforeSignOutNoLongerWorks() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let id = try #require(client.sessionID)
        await client.signOut()

        let replay = site.client()
        replay.setCookie("latchkey_session", id)
        #expect(await replay.get("/account").status.code == 303)
    }

    @Test func signOutLeavesTheUsersOtherSessionsAlone() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let laptop = site.client(), phone = site.client()
        await laptop.signIn("alice")
        await phone.signIn("alice")
        await laptop.signOut()
        #expect(await phone.get("/account").status.code == 200)
    }

    @Test func homePageShowsSignInLinksAfterSignOut() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let home = await client.follow(await client.signOut())
        #expect(home.status.code == 200)
        #expect(!home.text.contains("Signed in as"))
        #expect(home.text.contains("href=\"/login\""))
    }
}
