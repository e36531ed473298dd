import Identity
import Accounts
import FakeProviders
import Foundation
import Testing
import WebTesting

/// Expiring tokens are refreshed before use, a refresh that fails asks the person to reconnect,
/// and Facebook's Graph version is configuration, not a pin (incumbent failure 8).
@Suite struct SocialTokenRefreshTests {
    /// Signs in with GitHub and returns the link.
    private func signedInLink(_ social: SocialSite, _ client: TestClient? = nil) async throws -> SocialAccount {
        _ = try await social.signIn(with: "github", client ?? social.site.client())
        return try #require(try await social.link("github", uid: social.github.person.uid))
    }

    /// Makes the stored token of `link` expire within the minute.
    private func nearExpiry(_ link: SocialAccount, _ social: SocialSite) async throws {
        let id = link.id
        try await social.site.services.database.write { db in
            try db.execute("UPDATE social_tokens SET expires_at = ? WHERE social_account_id = ?", Clock.now + 30, id)
        }
    }

    private func refreshRequests(_ social: SocialSite) -> [RecordedRequest] {
        social.github.requests(to: "/login/oauth/access_token").filter { $0.form["grant_type"] == "refresh_token" }
    }

    @Test func oauthAppTokenThatNeverExpiresIsUsedAsIs() async throws {
        try await SocialSite.with([.github]) { social in
            let link = try await signedInLink(social)
            #expect(link.tokenExpiresAt == nil)
            let token = try await social.site.services.social.validAccessToken(accountID: link.id)
            #expect(token.hasPrefix("gho_"))
            #expect(token == social.github.issuedAccessTokens.last)
            #expect(refreshRequests(social).isEmpty)
        }
    }

    @Test func gitHubAppTokenNearExpiryIsRefreshed() async throws {
        try await SocialSite.with([.github], gitHubKind: .gitHubApp) { social in
            let link = try await signedInLink(social)
            let original = try #require(social.github.issuedAccessTokens.last)
            #expect(original.hasPrefix("ghu_"))
            #expect(try await social.site.services.social.validAccessToken(accountID: link.id) == original)
            #expect(refreshRequests(social).isEmpty)

            try await nearExpiry(link, social)
            let renewed = try await social.site.services.social.validAccessToken(accountID: link.id)
            #expect(renewed.hasPrefix("ghu_"))
            #expect(renewed != original)
            #expect(social.github.isTokenActive(renewed))
            let refresh = try #require(refreshRequests(social).first)
            #expect(refresh.form["refresh_token"]?.hasPrefix("ghr_") == true)
            #expect(refreshRequests(social).count == 1)

            let stored = try #require(try await social.link("github", uid: social.github.person.uid))
            #expect(stored.tokenStatus == .active)
            #expect(stored.tokenLastRefreshAt != nil)
            #expect((stored.tokenExpiresAt ?? 0) > Clock.now + 3600)
            // The renewed token is good for hours: the next use does not refresh again.
            #expect(try await social.site.services.social.validAccessToken(accountID: link.id) == renewed)
            #expect(refreshRequests(social).count == 1)
        }
    }

    @Test func refreshRejectedUpstreamMarksTheAccountForReconnect() async throws {
        try await SocialSite.with([.github], gitHubKind: .gitHubApp) { social in
            let client = social.site.client()
            let link = try await signedInLink(social, client)
            let id = link.id
            // Keep the first refresh token, rotate it away with one refresh, then put it back: GitHub
            // refuses a refresh token that was already used.
            let rotatedAway = try #require(try await social.site.query(
                "SELECT refresh_token_enc FROM social_tokens WHERE social_account_id = ?", id).first?.string("refresh_token_enc"))
            try await nearExpiry(link, social)
            _ = try await social.site.services.social.validAccessToken(accountID: id)
            try await social.site.services.database.write { db in
                try db.execute("UPDATE social_tokens SET refresh_token_enc = ?, expires_at = ? WHERE social_account_id = ?",
                               rotatedAway, Clock.now + 30, id)
            }

            await #expect(throws: SocialAuthError.invalidToken) { try await social.site.services.social.validAccessToken(accountID: id) }
            #expect(refreshRequests(social).count == 2)
            #expect(try await social.link("github", uid: social.github.person.uid)?.tokenStatus == .reconnect)
            let page = await client.get("/account")
            #expect(page.text.contains("<td data-label=\"Token\">reconnect</td>"))
        }
    }

    @Test func providerWithoutRefreshTokensAsksForReconnectOnceExpired() async throws {
        try await SocialSite.with([.linkedin]) { social in
            let client = social.site.client()
            _ = try await social.signIn(with: "linkedin", client)
            let link = try #require(try await social.link("linkedin", uid: social.linkedIn.person.uid))
            let id = link.id
            try await social.site.services.database.write { db in
                try db.execute("UPDATE social_tokens SET expires_at = ? WHERE social_account_id = ?", Clock.now - 5, id)
            }
            #expect(await client.get("/account").text.contains("<td data-label=\"Token\">expired</td>"))
            await #expect(throws: SocialAuthError.invalidToken) { try await social.site.services.social.validAccessToken(accountID: id) }
            #expect(await client.get("/account").text.contains("<td data-label=\"Token\">reconnect</td>"))
        }
    }

    @Test func facebookGraphVersionComesFromConfiguration() async throws {
        try await SocialSite.with([.facebook], facebookGraphVersion: "v26.0") { social in
            let client = social.site.client()
            let start = await social.start("facebook", client)
            #expect(start.location?.hasPrefix(social.facebook.baseURL + "/v26.0/dialog/oauth?") == true)
            let response = await client.get(try await social.approve(start))
            #expect(response.location == "/signup/social", "Facebook vouches for no address: the profile form first")
            let paths = social.facebook.receivedRequests.map(\.path)
            #expect(Set(paths) == ["/v26.0/dialog/oauth", "/v26.0/oauth/access_token", "/v26.0/me"])
        }
    }
}
