import Identity
import Accounts
import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// `state` is random, single-use, server-side, bound to the browser that started, short-lived,
/// and several can be alive at once (incumbent failure 2: none, or one per session).
@Suite struct SocialStateTests {
    @Test func twoTabsCanFinishInEitherOrder() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            for order in [[0, 1], [1, 0]] {
                let client = social.site.client()
                let first = await social.start("github", client)
                let second = await social.start("github", client)
                let states = [first, second].map { FakeBrowser.queryItems(of: $0.location ?? "")["state"] }
                #expect(states[0] != nil && states[0] != states[1])
                let callbacks = [try await social.approve(first), try await social.approve(second)]
                for index in order {
                    let response = await client.get(callbacks[index])
                    #expect(response.status.code == 303, "tab \(index) failed: \(response.text.prefix(200))")
                    #expect(response.location == "/account")
                }
                #expect(await social.signedInUsername(client) == "octocat")
            }
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }

    @Test func stateStartedForOneProviderIsRefusedAtAnother() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let client = social.site.client()
            let callback = try await social.approve(await social.start("github", client))
            let elsewhere = callback.replacingOccurrences(of: "/auth/github/", with: "/auth/linkedin/")
            let response = await client.get(elsewhere)
            #expect(response.status.code == 400)
            #expect(response.text.contains("This sign-in link is not valid"))
            #expect(try await social.rows() == .none)
        }
    }

    @Test func expiredStateShowsAnExpiredPage() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let callback = try await social.approve(await social.start("github", client))
            _ = try await social.site.services.database.write { db in
                try db.execute("UPDATE oauth_states SET expires_at = ?", Clock.now - 1)
            }
            let response = await client.get(callback)
            #expect(response.status.code == 400)
            #expect(response.text.contains("This sign-in link has expired"))
            #expect(try await social.rows() == .none)
            #expect(try await social.site.count("oauth_states") == 0)
        }
    }

    @Test func codeInjectedIntoAnotherBrowserLinksNothing() async throws {
        try await SocialSite.with([.github]) { social in
            // The attacker starts in their own browser and stops at the callback URL...
            let attacker = social.site.client()
            let callback = try await social.approve(await social.start("github", attacker))
            // ...and gets a signed-in victim to open it.
            let bob = try await social.site.createUser("bob")
            let victim = social.site.client()
            await victim.signIn("bob")
            let response = await victim.get(callback)
            #expect(response.status.code == 400)
            #expect(response.text.contains("This sign-in link is not valid"))
            #expect(try await social.links(of: bob.id).isEmpty)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 0, tokens: 0))
            #expect(await social.signedInUsername(victim) == "bob")
        }
    }

    @Test func callbackWithoutAnySessionIsRefused() async throws {
        try await SocialSite.with([.github]) { social in
            let callback = try await social.approve(await social.start("github", social.site.client()))
            let response = await social.site.client().get(callback)
            #expect(response.status.code == 400)
            #expect(try await social.rows() == .none)
        }
    }

    @Test func signingOutForgetsPendingStates() async throws {
        try await SocialSite.with([.github]) { social in
            try await social.site.createUser("alice")
            let client = social.site.client()
            await client.signIn("alice")
            let callback = try await social.approve(await social.start("github", client, intent: "connect"))
            await client.signOut()
            let response = await client.get(callback)
            #expect(response.status.code == 400)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 0, tokens: 0))
        }
    }
}

extension SocialStateTests {
    /// Issue 13: `error=x%0Alevel=error%20injected=1` on a callback used to write a forged line.
    @Test func aProvidersErrorTextCannotForgeALogLine() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let start = await social.start("github", client)
            let location = try #require(start.location)
            let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
            _ = await client.get("/auth/github/callback?state=\(FormData.encode(state))&error=x%0Alevel=error%20injected=1"
                                 + "&error_description=y%0D%0Alevel=error%20injected=2")
            #expect(!social.site.logs.lines.contains { $0.hasPrefix("level=error injected") || $0.contains("\nlevel=error") })
            #expect(social.site.logs.lines.allSatisfy { $0.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" } })
        }
    }
}
