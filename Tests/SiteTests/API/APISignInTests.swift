import Identity
import Accounts
import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// `POST /api/auth/social` with a provider token a front end obtained itself: the audience is
/// checked, the profile fetched, the linking policy applied, and a bearer token handed out.
@Suite struct APISignInTests {
    @Test func createsAnAccountThenSignsInAgain() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let first = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(first.status.code == 201, "\(first.text)")
            let user = try #require(first.json["user"])
            #expect(user["username"] == .string("octocat"))
            #expect(user["email"] == .string("octocat@example.com"))
            #expect(user["email_verified"] == .bool(true))
            #expect(user["is_admin"] == .bool(false))
            let token = try #require(first.json["token"]?.stringValue)
            #expect(token.hasPrefix("lk_"))
            let expiresAt = try #require(first.json["expires_at"]?.intValue)
            #expect(abs(expiresAt - (Clock.now + 30 * 86_400)) < 120)

            let again = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(again.status.code == 200, "\(again.text)")
            #expect(again.json["user"]?["id"] == user["id"])
            #expect(again.json["token"]?.stringValue != token)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }

    @Test(arguments: [SocialProviderKind.facebook, .linkedin, .oidc])
    func signsInWithEachProvider(kind: SocialProviderKind) async throws {
        try await SocialSite.with([kind]) { social in
            let tokens: APIFrontEnd.Tokens = switch kind {
            case .facebook: try await APIFrontEnd.facebook(social.facebook)
            case .linkedin: try await APIFrontEnd.linkedIn(social.linkedIn)
            default: try await APIFrontEnd.openID(social.oidc)
            }
            let response = await social.site.client().apiSignIn(kind.rawValue, accessToken: tokens.accessToken, idToken: tokens.idToken)
            #expect(response.status.code == 201, "\(response.text)")
            let link = try await social.link(kind.rawValue, uid: social.provider(kind).person.uid)
            #expect(link != nil)
            #expect(link?.tokenStatus == .active)
        }
    }

    @Test func expiryFollowsTheConfiguredLifetime() async throws {
        try await SocialSite.with([.github], environment: ["API_TOKEN_TTL": "3600"]) { social in
            let response = await social.site.client().apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            let expiresAt = try #require(response.json["expires_at"]?.intValue)
            #expect(abs(expiresAt - (Clock.now + 3600)) < 120)
        }
    }

    @Test func storesOnlyTheTokensHash() async throws {
        try await SocialSite.with([.github]) { social in
            let response = await social.site.client().apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            let token = try #require(response.json["token"]?.stringValue)
            let rows = try await social.site.query("SELECT token_hash FROM api_tokens")
            #expect(rows.count == 1)
            #expect(try rows[0].string("token_hash") == APITokenRepository.hash(token))
            #expect(try rows[0].string("token_hash") != token)
        }
    }

    @Test func linksToTheBearerTokensUser() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let client = social.site.client()
            let signedIn = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            let bearer = try #require(signedIn.json["token"]?.stringValue)
            let userID = try #require(signedIn.json["user"]?["id"]?.intValue)

            let linked = await client.apiSignIn("linkedin", accessToken: try await APIFrontEnd.linkedIn(social.linkedIn).accessToken, bearer: bearer)
            #expect(linked.status.code == 200, "\(linked.text)")
            #expect(linked.json["user"]?["id"]?.intValue == userID)
            #expect(linked.json["token"]?.stringValue == bearer)
            #expect(try await social.links(of: Int64(userID)).map(\.provider) == ["github", "linkedin"])
            #expect(try await social.site.count("users") == 1)
        }
    }

    @Test func refusesToLinkAnAccountAnotherUserHas() async throws {
        try await SocialSite.with([.github]) { social in
            let site = social.site
            try await site.createUser("alice")
            let local = try #require(try await site.user("alice"))
            let now = Clock.now
            let bearer = try await site.services.database.write { db in
                try APITokenRepository.issue(userID: local.id, lifetime: 3600, now: now, in: db).token
            }
            // The GitHub account first signs itself up, so it belongs to someone else.
            #expect(await site.client().apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken).status.code == 201)
            let response = await site.client().apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken, bearer: bearer)
            #expect(response.status.code == 409)
            #expect(response.apiError == "already_associated")
            #expect(response.json["message"] == .string("That social media account is already in use"))
            #expect(try await social.links(of: local.id).isEmpty)
        }
    }

    @Test func meAnswersWithTheBearersUser() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let signedIn = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            let bearer = try #require(signedIn.json["token"]?.stringValue)
            let me = await client.api(.get, "/api/me", bearer: bearer)
            #expect(me.status.code == 200)
            #expect(me.json["user"] == signedIn.json["user"])
            #expect(me.json["token_expires_at"] == signedIn.json["expires_at"])
            let used = try await social.site.query("SELECT last_used_at FROM api_tokens").first?.optionalInt("last_used_at")
            #expect(used != nil)
        }
    }

    @Test func logoutRevokesTheToken() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let signedIn = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            let bearer = try #require(signedIn.json["token"]?.stringValue)
            let logout = await client.api(.post, "/api/logout", bearer: bearer)
            #expect(logout.status.code == 204)
            let me = await client.api(.get, "/api/me", bearer: bearer)
            #expect(me.status.code == 401)
            #expect(me.apiError == "invalid_token")
            #expect(await client.api(.post, "/api/logout", bearer: bearer).status.code == 401)
            #expect(try await social.site.query("SELECT revoked_at FROM api_tokens").first?.optionalInt("revoked_at") != nil)
            #expect(try await social.site.auditCount("api_logout") == 1)
        }
    }

    @Test func usesNoCookies() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let signedIn = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            let bearer = try #require(signedIn.json["token"]?.stringValue)
            let responses = [signedIn, await client.api(.get, "/api/me", bearer: bearer), await client.api(.post, "/api/logout", bearer: bearer),
                             await client.get("/api/nowhere")]
            for response in responses { #expect(response.headers.values(for: "Set-Cookie").isEmpty) }
            #expect(client.cookies.isEmpty)
            #expect(try await social.site.count("sessions") == 0)
        }
    }
}
