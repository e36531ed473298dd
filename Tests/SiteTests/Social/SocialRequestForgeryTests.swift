import FakeProviders
import Testing
import WebTesting

/// A social sign-in starts only with a POST carrying the session's CSRF token, so another site
/// cannot sign a visitor in to an account of its choosing (incumbent failure 3: login CSRF).
@Suite struct SocialRequestForgeryTests {
    @Test func startWithoutCSRFTokenIsRefused() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            _ = await client.get("/login")
            for form in [[("intent", "signin")], [("intent", "signin"), ("csrf_token", "not-the-token")]] {
                let response = await client.post("/auth/github", form: form)
                #expect(response.status.code == 403)
                #expect(response.location == nil)
            }
            let pending = try await social.site.count("oauth_states")
            #expect(pending == 0)
            #expect(social.github.receivedRequests.isEmpty)
        }
    }

    @Test func startFromAnotherSitesFormIsRefused() async throws {
        try await SocialSite.with([.github]) { social in
            // A cross-site form post arrives with the victim's cookies but the attacker's token.
            let attacker = social.site.client()
            let token = await social.csrfToken(attacker)
            let victim = social.site.client()
            _ = await victim.get("/login")
            let response = await victim.post("/auth/github", form: [("csrf_token", token), ("intent", "signin")])
            #expect(response.status.code == 403)
            let pending = try await social.site.count("oauth_states")
            #expect(pending == 0)
        }
    }

    @Test func getCannotStartASignIn() async throws {
        try await SocialSite.with([.github]) { social in
            let response = await social.site.client().get("/auth/github")
            #expect(response.status.code == 405)
            let pending = try await social.site.count("oauth_states")
            #expect(pending == 0)
            #expect(social.github.receivedRequests.isEmpty)
        }
    }

    @Test func connectWhileSignedOutAsksToSignInFirst() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let response = await social.start("github", client, intent: "connect")
            #expect(response.status.code == 303)
            #expect(response.location?.hasPrefix("/login") == true)
            let pending = try await social.site.count("oauth_states")
            #expect(pending == 0)
        }
    }
}
