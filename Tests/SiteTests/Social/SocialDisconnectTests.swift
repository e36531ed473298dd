import Accounts
import FakeProviders
import Foundation
import Testing
import WebTesting

/// Disconnecting: never the last way to sign in, revoked upstream where the provider allows,
/// and an upstream failure is the site's problem, not the person's.
@Suite struct SocialDisconnectTests {
    /// Signs alice (who has a password) in, connects GitHub, and returns her browser and the link.
    private func aliceWithGitHub(_ social: SocialSite) async throws -> (TestClient, SocialAccount) {
        try await social.site.createUser("alice")
        let client = social.site.client()
        await client.signIn("alice")
        _ = try await social.connect("github", client)
        return (client, try #require(try await social.link("github", uid: social.github.person.uid)))
    }

    /// Issue 12: the owner hears of every sign-in method linked or unlinked, by them or an admin.
    @Test func connectingAndDisconnectingAreMailedToTheOwner() async throws {
        try await SocialSite.with([.github]) { social in
            let (client, link) = try await aliceWithGitHub(social)
            #expect(try await social.site.outboxKinds(to: "alice@example.com") == ["sign_in_method_connected"])
            _ = await social.disconnect(link.id, client)
            // Both are queued within the same second, and the outbox orders a second's mail by its
            // random Message-ID: compare them as a set.
            #expect(try await social.site.outboxKinds(to: "alice@example.com").sorted() == ["sign_in_method_connected", "sign_in_method_disconnected"])
            let mail = try await social.site.deliverMail()
            #expect(mail.map(\.text).contains { $0.contains("GitHub was just connected to your Latchkey account") })
            #expect(mail.map(\.text).contains { $0.contains("GitHub was just disconnected from your Latchkey account: it can no longer") })
        }
    }

    @Test func lastWayToSignInCannotBeDisconnected() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            _ = try await social.signIn(with: "github", client)
            let link = try #require(try await social.link("github", uid: social.github.person.uid))
            let response = await social.disconnect(link.id, client)
            #expect(response.location == "/account")
            let page = await client.follow(response)
            #expect(page.flashes == ["You cannot disconnect your only way to sign in. Set a password or connect another provider first."])
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
            #expect(social.github.requests(to: "/applications/github-client-id/grant").isEmpty)
        }
    }

    @Test func oneOfTwoProvidersCanBeDisconnectedWithoutAPassword() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let client = social.site.client()
            _ = try await social.signIn(with: "github", client)
            _ = try await social.connect("linkedin", client)
            let github = try #require(try await social.link("github", uid: social.github.person.uid))
            #expect(await client.follow(await social.disconnect(github.id, client)).flashes == ["GitHub has been disconnected from your account."])
            let linkedIn = try #require(try await social.link("linkedin", uid: social.linkedIn.person.uid))
            let refused = await client.follow(await social.disconnect(linkedIn.id, client))
            #expect(refused.flashes.first?.hasPrefix("You cannot disconnect your only way to sign in.") == true)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }

    @Test func disconnectRevokesTheGrantAtGitHub() async throws {
        try await SocialSite.with([.github]) { social in
            let (client, link) = try await aliceWithGitHub(social)
            let token = try #require(social.github.issuedAccessTokens.last)
            #expect(social.github.isTokenActive(token))
            _ = await social.disconnect(link.id, client)

            let revoke = try #require(social.github.requests(to: "/applications/github-client-id/grant").first)
            #expect(revoke.method == .delete)
            #expect(revoke.header("Authorization") == "Basic " + Data("github-client-id:github-client-secret".utf8).base64EncodedString())
            #expect(revoke.json?.objectValue?["access_token"]?.stringValue == token)
            #expect(!social.github.isTokenActive(token))
        }
    }

    @Test func upstreamRevokeFailureIsNotShownAsAnError() async throws {
        try await SocialSite.with([.github]) { social in
            let (client, link) = try await aliceWithGitHub(social)
            social.github.inject(.status(500), on: .revoke)
            let response = await social.disconnect(link.id, client)
            #expect(response.location == "/account")
            #expect(await client.follow(response).flashes == ["GitHub has been disconnected from your account."])
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 0, tokens: 0))
            #expect(social.github.requests(to: "/applications/github-client-id/grant").count == 1)
            #expect(social.site.logs.lines.contains { $0.contains("upstream_revoke_failed provider=github") })
        }
    }

    @Test func disconnectRevokesAtFacebookAndOpenIDProviders() async throws {
        try await SocialSite.with([.facebook, .oidc]) { social in
            try await social.site.createUser("alice")
            let client = social.site.client()
            await client.signIn("alice")
            _ = try await social.connect("facebook", client)
            _ = try await social.connect("oidc", client)
            for link in try await social.links(of: try #require(try await social.site.user("alice")).id) {
                _ = await social.disconnect(link.id, client)
            }
            #expect(social.facebook.receivedRequests.contains { $0.method == .delete && $0.path.hasSuffix("/permissions") })
            #expect(social.oidc.requests(to: "/revoke").count == 1)
            for token in social.facebook.issuedAccessTokens + social.oidc.issuedAccessTokens {
                #expect(!social.facebook.isTokenActive(token) && !social.oidc.isTokenActive(token))
            }
        }
    }

    @Test func someoneElsesLinkCannotBeDisconnected() async throws {
        try await SocialSite.with([.github]) { social in
            _ = try await social.signIn(with: "github", social.site.client())
            let link = try #require(try await social.link("github", uid: social.github.person.uid))
            try await social.site.createUser("mallory")
            let mallory = social.site.client()
            await mallory.signIn("mallory")
            #expect(await social.disconnect(link.id, mallory).status.code == 404)
            #expect(try await social.rows() == SocialSite.Rows(users: 2, links: 1, tokens: 1))
        }
    }

    @Test func disconnectNeedsTheCSRFToken() async throws {
        try await SocialSite.with([.github]) { social in
            let (client, link) = try await aliceWithGitHub(social)
            let response = await client.post("/account/connections/\(link.id)/delete", form: [])
            #expect(response.status.code == 403)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }
}
