import Accounts
import FakeProviders
import Testing
import WebTesting

/// Connecting a provider account that already belongs to someone else ends on a clear page,
/// never a 500 (incumbent failure 5), and changes nothing.
@Suite struct SocialLinkConflictTests {
    @Test func connectingAnAccountLinkedToAnotherUserShowsAConflictPage() async throws {
        try await SocialSite.with([.github]) { social in
            _ = try await social.signIn(with: "github", social.site.client())
            let owner = try #require(try await social.link("github", uid: social.github.person.uid))
            let bob = try await social.site.createUser("bob")
            let client = social.site.client()
            await client.signIn("bob")

            for _ in 0..<2 {
                let response = try await social.connect("github", client)
                #expect(response.status.code == 409)
                #expect(response.text.contains("already linked to another Latchkey account"))
            }
            #expect(try await social.links(of: bob.id).isEmpty)
            #expect(try await social.link("github", uid: social.github.person.uid)?.userID == owner.userID)
            #expect(try await social.rows() == SocialSite.Rows(users: 2, links: 1, tokens: 1))
            #expect(await social.signedInUsername(client) == "bob")
        }
    }

    @Test func connectingTheSameAccountAgainIsHarmless() async throws {
        try await SocialSite.with([.github]) { social in
            let alice = try await social.site.createUser("alice")
            let client = social.site.client()
            await client.signIn("alice")
            _ = try await social.connect("github", client)
            let again = try await social.connect("github", client)
            #expect(again.location == "/account")
            #expect(await client.follow(again).flashes == ["GitHub is now connected to your account."])
            #expect(try await social.links(of: alice.id).count == 1)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }

    @Test func disabledAccountCannotSignInThroughItsLink() async throws {
        try await SocialSite.with([.github]) { social in
            _ = try await social.signIn(with: "github", social.site.client())
            let link = try #require(try await social.link("github", uid: social.github.person.uid))
            try await social.site.services.database.write { db in try UserRepository.setDisabled(true, userID: link.userID, now: 0, in: db) }
            let client = social.site.client()
            let response = try await social.signIn(with: "github", client)
            #expect(response.status.code == 403)
            #expect(response.text.contains("has been disabled"))
            #expect(await social.signedInUsername(client) == nil)
        }
    }
}
