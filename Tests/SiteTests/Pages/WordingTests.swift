import Accounts
import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// Issue 16: words that fit the case.
@Suite struct WordingTests {
    @Test func cancellingAConnectSaysConnectingNotSigningIn() async throws {
        try await SocialSite.with([.github]) { social in
            try await social.site.createUser("alice")
            let client = social.site.client()
            await client.signIn("alice")
            social.provider(.github).denyNextAuthorization()
            let response = try await social.signIn(with: "github", client, intent: "connect")
            #expect(response.status.code == 200)
            #expect(response.text.contains("You cancelled connecting GitHub. Nothing was changed."))
            #expect(!response.text.contains("signing in"))
        }
    }

    @Test func signingOutSaysSo() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let out = await client.signOut()
        #expect(out.location == "/?signed_out=1")
        #expect(await client.follow(out).flashes == ["You have signed out."])
        #expect(await site.client().get("/").flashes.isEmpty)
    }

    @Test func theHomePageNamesOnlyConfiguredProviders() async throws {
        try await SocialSite.with([.github]) { social in
            let home = await social.site.client().get("/").text
            #expect(home.contains("GitHub"))
            for absent in ["Facebook", "LinkedIn", "sibling"] { #expect(!home.contains(absent), "\(absent)") }
        }
        let bare = await (try await TestSite.make()).client().get("/").text
        #expect(!bare.contains("sign in with"))
    }

    @Test func sessionsAreListedByBrowserAndTimesNameTheirZone() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        client.defaultHeaders.set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")
        await client.signIn("alice")
        let page = await client.get("/account").text
        #expect(page.contains("Firefox on Windows <strong>(this session)</strong>"))
        #expect(page.contains(" UTC</td>"))
    }

    /// A social-only account has no password: the conflict page offers its provider and a
    /// mailed code, and never "its password".
    @Test func theConflictPageOffersWhatTheAccountCanDo() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let alice = try await social.site.createUser("alice", email: "octocat@example.com")
            let id = alice.id
            _ = try await social.site.services.database.write { db in
                try db.execute("UPDATE users SET email_verified = 1 WHERE id = ?", id)
            }
            let client = social.site.client()
            await client.signIn("alice")
            _ = try await social.connect("linkedin", client)
            _ = try await social.site.services.database.write { db in try db.execute("UPDATE users SET password_hash = NULL WHERE id = ?", id) }

            let conflict = try await social.signIn(with: "github", social.site.client())
            #expect(conflict.status.code == 409)
            #expect(!conflict.text.contains("password"))
            #expect(conflict.text.contains("sign in to it with LinkedIn"))
            #expect(conflict.text.contains("action=\"/auth/linkedin\""))
            #expect(conflict.text.contains("value=\"/account?connect=github\""))
        }
    }
}
