import Testing
import WebTesting

/// `next=` survives the trip to the provider only as a local path; anything else is dropped and
/// the person lands on their account page (incumbent failure 4: open redirects).
@Suite struct SocialNextRedirectTests {
    static let foreign = [
        "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/%2F%2Fevil.example",
        " /account", "/account\r\nSet-Cookie: x=1", "evil.example",
    ]

    @Test(arguments: foreign)
    func foreignNextIsIgnored(_ next: String) async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let response = try await social.signIn(with: "github", client, next: next)
            #expect(response.status.code == 303)
            #expect(response.location == "/account")
        }
    }

    @Test func localNextIsHonoured() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let response = try await social.signIn(with: "github", client, next: "/account?tab=connections")
            #expect(response.location == "/account?tab=connections")
        }
    }

    @Test func nextNeverReachesTheProvider() async throws {
        try await SocialSite.with([.github]) { social in
            let response = await social.start("github", social.site.client(), next: "/account?tab=connections")
            #expect(response.location?.contains("tab") == false)
        }
    }
}
