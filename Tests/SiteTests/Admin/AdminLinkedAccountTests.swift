import Accounts
import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// The admin console's linked-account actions: refresh the token now, revoke it (here and
/// upstream), unlink; always for the account of the user in the URL.
@Suite struct AdminLinkedAccountTests {
    /// Signs up through the API with GitHub (and links LinkedIn with the bearer when asked);
    /// returns the user's id.
    static func socialUser(_ social: SocialSite, linkLinkedIn: Bool = false) async throws -> Int64 {
        let client = social.site.client()
        let signedIn = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
        let userID = Int64(try #require(signedIn.json["user"]?["id"]?.intValue))
        if linkLinkedIn {
            let bearer = try #require(signedIn.json["token"]?.stringValue)
            #expect(await client.apiSignIn("linkedin", accessToken: try await APIFrontEnd.linkedIn(social.linkedIn).accessToken, bearer: bearer).status.code == 200)
        }
        return userID
    }

    static func account(_ social: SocialSite, _ userID: Int64, _ provider: String) async throws -> SocialAccount {
        try #require(try await social.links(of: userID).first { $0.provider == provider })
    }

    @Test func userPageShowsEachLinkedAccountWithAMaskedToken() async throws {
        try await SocialSite.with([.github]) { social in
            let userID = try await Self.socialUser(social)
            let admin = try await social.site.adminClient()
            let page = await admin.get("/admin/users/\(userID)")
            let token = try #require(social.github.issuedAccessTokens.last)
            #expect(page.status.code == 200)
            for text in ["GitHub", "583231", "octocat", "octocat@example.com", "(verified)", "active",
                         TokenVault.mask(token)] {
                #expect(page.text.contains(text), "missing \(text)")
            }
            #expect(!page.text.contains(token))
        }
    }

    @Test func refreshesATokenNow() async throws {
        try await SocialSite.with([.github], gitHubKind: .gitHubApp) { social in
            // Through the browser flow: only a code exchange hands out a refresh token.
            let callback = try await social.signIn(with: "github", social.site.client())
            #expect(callback.status.code == 303)
            let userID = try #require(try await social.link("github", uid: social.github.person.uid)?.userID)
            let before = try await Self.account(social, userID, "github")
            let admin = try await social.site.adminClient()
            let issued = social.github.issuedAccessTokens.count
            let response = await admin.adminPost("/admin/users/\(userID)/accounts/\(before.id)/refresh")
            #expect(response.status.code == 303)
            #expect(social.github.issuedAccessTokens.count == issued + 1)
            let after = try await Self.account(social, userID, "github")
            #expect(after.tokenLastRefreshAt != nil)
            #expect(after.tokenStatus == .active)
            #expect(try await social.site.auditRows("admin_token_refresh").first?.detail == "github refreshed")
        }
    }

    @Test func refreshingATokenWithoutRefreshTokenChangesNothing() async throws {
        try await SocialSite.with([.github]) { social in
            let userID = try await Self.socialUser(social)
            let account = try await Self.account(social, userID, "github")
            let admin = try await social.site.adminClient()
            let page = await admin.follow(await admin.adminPost("/admin/users/\(userID)/accounts/\(account.id)/refresh"))
            #expect(page.flashes.contains { $0.contains("must reconnect") })
            #expect(try await Self.account(social, userID, "github").tokenStatus == .active)
            #expect(try await social.site.auditRows("admin_token_refresh").first?.detail == "github not refreshable")
        }
    }

    @Test func revokesATokenHereAndUpstream() async throws {
        try await SocialSite.with([.github]) { social in
            let userID = try await Self.socialUser(social)
            let account = try await Self.account(social, userID, "github")
            let token = try #require(social.github.issuedAccessTokens.last)
            #expect(social.github.isTokenActive(token))
            let admin = try await social.site.adminClient()
            #expect(await admin.adminPost("/admin/users/\(userID)/accounts/\(account.id)/revoke").status.code == 303)
            #expect(try await Self.account(social, userID, "github").tokenStatus == .revoked)
            #expect(!social.github.isTokenActive(token))
            #expect(try await social.site.auditRows("admin_token_revoked").map(\.detail) == ["github"])
        }
    }

    @Test func unlinksAnAccount() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let userID = try await Self.socialUser(social, linkLinkedIn: true)
            let account = try await Self.account(social, userID, "linkedin")
            let admin = try await social.site.adminClient()
            #expect(await admin.adminPost("/admin/users/\(userID)/accounts/\(account.id)/unlink").status.code == 303)
            #expect(try await social.links(of: userID).map(\.provider) == ["github"])
            let rows = try await social.site.auditRows("admin_social_unlinked")
            #expect(rows.count == 1)
            #expect(rows.first?.target == userID)
        }
    }

    @Test func refusesToUnlinkTheOnlyWayToSignIn() async throws {
        try await SocialSite.with([.github]) { social in
            let userID = try await Self.socialUser(social)
            let account = try await Self.account(social, userID, "github")
            let admin = try await social.site.adminClient()
            let page = await admin.follow(await admin.adminPost("/admin/users/\(userID)/accounts/\(account.id)/unlink"))
            #expect(page.flashes.contains { $0.contains("only way to sign in") })
            #expect(try await social.links(of: userID).count == 1)
        }
    }

    @Test(arguments: ["unlink", "revoke", "refresh"])
    func actionOnAnotherUsersAccountIsNotFoundAndChangesNothing(action: String) async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let victim = try await Self.socialUser(social, linkLinkedIn: true)
            let account = try await Self.account(social, victim, "linkedin")
            let bob = try await social.site.createUser("bob")
            let admin = try await social.site.adminClient()
            let audit = try await social.site.count("audit_log")
            let response = await admin.adminPost("/admin/users/\(bob.id)/accounts/\(account.id)/\(action)")
            #expect(response.status.code == 404)
            let after = try await Self.account(social, victim, "linkedin")
            #expect(after == account)
            #expect(try await social.links(of: victim).count == 2)
            #expect(try await social.site.count("audit_log") == audit)
            #expect(await admin.adminPost("/admin/users/\(victim)/accounts/999999/\(action)").status.code == 404)
        }
    }
}
