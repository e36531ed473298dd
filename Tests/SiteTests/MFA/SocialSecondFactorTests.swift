import Accounts
import Foundation
import Identity
import Security
import Testing
import WebTesting

/// Issue 14: a social sign-in to an account with a second factor asks for it too, in the
/// browser; the JSON API, which cannot ask, refuses instead of handing out a bearer token.
@Suite struct SocialSecondFactorTests {
    /// Turns on an authenticator app for `user` through the core; answers its secret.
    func enableApp(_ site: TestSite, for user: User) async throws -> [UInt8] {
        let totp = site.services.totp, now = Clock.now
        let enrollment = try await site.services.database.write { db in try totp.enroll(userID: user.id, account: user.username, now: now, in: db) }
        let secret = try #require(Base32.decode(enrollment.secret.replacingOccurrences(of: " ", with: "")))
        let check = try await site.services.database.write { db in
            try totp.confirm(userID: user.id, code: TOTP(secret: secret).code(at: now), now: now, in: db)
        }
        #expect(check == .accepted)
        return secret
    }

    @Test func aSocialSignInAsksForTheSecondFactor() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            _ = try await social.signIn(with: "github", client)
            let user = try #require(try await social.site.user("octocat"))
            await client.signOut()
            _ = try await enableApp(social.site, for: user)

            let back = try await social.signIn(with: "github", client, next: "/account")
            #expect(back.location == "/login/second-factor")
            #expect(await client.get("/account").location?.hasPrefix("/login") == true)
            #expect(await client.get("/login/second-factor").text.contains("Code from your authenticator app"))
        }
    }

    @Test func theAPIRefusesAnAccountWithASecondFactor() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let first = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(first.status.code == 201)
            let user = try #require(try await social.site.user("octocat"))
            _ = try await enableApp(social.site, for: user)
            let tokensBefore = try await social.site.count("api_tokens")
            let again = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(again.status == .forbidden, "\(again.text)")
            #expect(again.apiError == "second_factor_required")
            #expect(try await social.site.count("api_tokens") == tokensBefore)
        }
    }
}
