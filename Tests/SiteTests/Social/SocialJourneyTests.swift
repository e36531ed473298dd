import Testing
import WebTesting

/// The whole story a person lives through, end to end against the fakes.
@Suite struct SocialJourneyTests {
    @Test func signInConnectDisconnectSignOutAndComeBack() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let client = social.site.client()

            // A new visitor signs in with GitHub: an account is made for them.
            let welcome = await client.follow(try await social.signIn(with: "github", client))
            #expect(welcome.flashes == ["Welcome, octocat! Your account was created with GitHub."])
            let user = try #require(try await social.site.user("octocat"))

            // They connect LinkedIn from the account page and see both.
            let connected = await client.follow(try await social.connect("linkedin", client))
            #expect(connected.flashes == ["LinkedIn is now connected to your account."])
            #expect(connected.text.contains("Disconnect GitHub"))
            #expect(connected.text.contains("Disconnect LinkedIn"))
            #expect(connected.text.contains("<td data-label=\"Account\">octocat</td>"))
            #expect(connected.text.contains("<td data-label=\"Account\">lin@example.com</td>"))

            // They disconnect LinkedIn; GitHub stays.
            let linkedIn = try #require(try await social.link("linkedin", uid: social.linkedIn.person.uid))
            let after = await client.follow(await social.disconnect(linkedIn.id, client))
            #expect(after.flashes == ["LinkedIn has been disconnected from your account."])
            #expect(after.text.contains("Disconnect GitHub"))
            #expect(!after.text.contains("Disconnect LinkedIn"))
            #expect(after.text.contains("Connect LinkedIn"))

            // They sign out, then sign back in with GitHub: the same account.
            await client.signOut()
            #expect(await social.signedInUsername(client) == nil)
            let back = await client.follow(try await social.signIn(with: "github", client))
            #expect(back.flashes == ["Signed in with GitHub."])
            #expect(await social.signedInUsername(client) == "octocat")
            #expect(try await social.link("github", uid: social.github.person.uid)?.userID == user.id)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }
}
