import Accounts
import FakeProviders
import Testing
import WebTesting

/// Slow, broken and hostile providers end on a clear page and leave no user, link or token
/// behind; a provider's odd-but-legal replies still sign the person in.
@Suite struct SocialProviderFaultTests {
    /// A fault and the endpoint it is shown at.
    struct Breakage: Sendable, CustomTestStringConvertible {
        let fault: FakeFault
        let endpoint: FakeEndpoint
        var testDescription: String { "\(fault) on \(endpoint.rawValue)" }
    }

    static let breakages = [
        Breakage(fault: .status(500), endpoint: .token), Breakage(fault: .html, endpoint: .token),
        Breakage(fault: .malformedJSON, endpoint: .token), Breakage(fault: .status(500), endpoint: .profile),
        Breakage(fault: .html, endpoint: .profile), Breakage(fault: .malformedJSON, endpoint: .profile),
        Breakage(fault: .profileWithoutID, endpoint: .profile),
    ]

    /// Signs in on a fresh browser and checks for the "not answering" page with nothing stored.
    private func expectProviderErrorPage(_ social: SocialSite, _ kind: SocialProviderKind) async throws {
        let client = social.site.client()
        let response = try await social.signIn(with: kind.rawValue, client)
        #expect(response.status.code == 502)
        #expect(response.text.contains("\(social.provider(kind).displayName) is not answering properly"))
        #expect(try await social.rows() == .none)
        #expect(await social.signedInUsername(client) == nil)
    }

    @Test(arguments: SocialProviderKind.fakes, breakages)
    func brokenProviderReplyShowsAClearPageAndStoresNothing(_ kind: SocialProviderKind, _ breakage: Breakage) async throws {
        try await SocialSite.with([kind]) { social in
            social.provider(kind).inject(breakage)
            try await expectProviderErrorPage(social, kind)
        }
    }

    @Test(arguments: [FakeFault.idTokenWrongSignature, .idTokenWrongAudience, .idTokenWrongIssuer, .idTokenExpired],
          [SocialProviderKind.linkedin, .oidc])
    func badIDTokenIsRefused(_ fault: FakeFault, _ kind: SocialProviderKind) async throws {
        try await SocialSite.with([kind]) { social in
            social.provider(kind).inject(Breakage(fault: fault, endpoint: .token))
            try await expectProviderErrorPage(social, kind)
        }
    }

    @Test func providerTimeoutShowsAClearPage() async throws {
        try await SocialSite.with([.github], environment: ["HTTP_TIMEOUT": "1"]) { social in
            social.github.inject(.timeout(3), on: .token)
            try await expectProviderErrorPage(social, .github)
        }
    }

    /// Issue 13: per-call timeouts added up (two slow calls made a person wait 26 s). One
    /// deadline covers every call of a sign-in: two calls that each fit the per-call timeout but
    /// not the deadline together end on the clear page.
    @Test func oneDeadlineCoversEveryCallOfASignIn() async throws {
        try await SocialSite.with([.github], environment: ["HTTP_TIMEOUT": "10", "SIGN_IN_DEADLINE": "1.5"]) { social in
            social.github.inject(.timeout(1), on: .token)
            social.github.inject(.timeout(1), on: .profile)
            try await expectProviderErrorPage(social, .github)
            #expect(social.site.logs.lines.contains { $0.contains("social_auth_failed") && $0.contains("timedOut") })
        }
    }

    @Test func unreachableKeySetShowsAClearPage() async throws {
        try await SocialSite.with([.linkedin]) { social in
            social.linkedIn.inject(.status(503), on: .jwks)
            try await expectProviderErrorPage(social, .linkedin)
        }
    }

    @Test func unreachableDiscoveryShowsAClearPageAndIsRetriedLater() async throws {
        try await SocialSite.with([.oidc]) { social in
            social.oidc.inject(.status(500), on: .discovery)
            let response = await social.start("oidc", social.site.client())
            #expect(response.status.code == 502)
            #expect(response.text.contains("Example ID is not answering properly"))
            let pending = try await social.site.count("oauth_states")
            #expect(pending == 0)
            #expect(try await social.signIn(with: "oidc", social.site.client()).location == "/account")
        }
    }

    @Test func gitHubCodeRejectedWithHTTP200IsAClearPage() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let callback = try await social.approve(await social.start("github", client))
            let response = await client.get(SocialSite.callback(callback, changing: ["code": "bogus-code"]))
            #expect(response.status.code == 400)
            #expect(response.text.contains("GitHub refused the sign-in"))
            #expect(try await social.rows() == .none)
            let exchange = try #require(social.github.requests(to: "/login/oauth/access_token").last)
            #expect(exchange.form["code"] == "bogus-code")
        }
    }

    @Test func gitHubWithoutEmailAccessStillSignsIn() async throws {
        try await SocialSite.with([.github]) { social in
            social.github.inject(.emailsNotFound, on: .emails)
            let client = social.site.client()
            let response = try await social.signIn(with: "github", client)
            #expect(response.location == "/account")
            let link = try #require(try await social.link("github", uid: social.github.person.uid))
            #expect(link.email == nil)
            #expect(!link.emailVerified)
            #expect(try await social.user(id: link.userID)?.email == nil)
            #expect(await social.signedInUsername(client) == "octocat")
        }
    }

    @Test func callbackWithAProviderErrorIsAClearPage() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let callback = try await social.approve(await social.start("github", client))
            let response = await client.get(SocialSite.callback(callback, changing: ["code": nil, "error": "server_error"]))
            #expect(response.status.code == 400)
            #expect(response.text.contains("GitHub refused the sign-in"))
            #expect(try await social.rows() == .none)
        }
    }

    @Test func callbackWithoutACodeIsAClearPage() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let callback = try await social.approve(await social.start("github", client))
            let response = await client.get(SocialSite.callback(callback, changing: ["code": nil]))
            #expect(response.status.code == 400)
            #expect(response.text.contains("Please start again"))
            #expect(try await social.rows() == .none)
        }
    }

    @Test func callbackForAnUnknownProviderIsANotFoundPage() async throws {
        try await SocialSite.with([.github]) { social in
            let response = await social.site.client().get("/auth/nope/callback?code=x&state=y")
            #expect(response.status.code == 404)
            #expect(!response.text.isEmpty)
        }
    }
}

extension ProviderUnderTest {
    /// Shows `breakage` to the provider's next request at its endpoint (fakes only).
    func inject(_ breakage: SocialProviderFaultTests.Breakage) {
        guard let fake = self as? any FakeProvider else { preconditionFailure("\(siteID) takes no injected faults") }
        fake.inject(breakage.fault, on: breakage.endpoint)
    }
}
