import Accounts
import FakeProviders
import Testing
import Web
import WebTesting

/// Which providers are on, and why the others are off, is plain at start-up; callbacks are built
/// on BASE_URL, never on whatever Host a request claims (incumbent failure 6).
@Suite struct SocialConfigurationTests {
    @Test func registryListsEveryProviderWithTheReasonItIsOff() {
        let registry = ProviderRegistry(environment: [
            "GITHUB_CLIENT_ID": "id", "GITHUB_CLIENT_SECRET": "secret",
            "FACEBOOK_CLIENT_ID": "only-the-id",
            "SIBLING_CLIENT_ID": "id", "SIBLING_CLIENT_SECRET": "secret",
            "OIDC_CLIENT_ID": "id", "OIDC_CLIENT_SECRET": "secret",
        ], http: CurlHTTPClient())
        #expect(registry.entries.map(\.id) == ["github", "facebook", "linkedin", "sibling", "oidc"])
        #expect(registry.enabled.map(\.id) == ["github"])
        #expect(registry.entry("github")?.disabledReason == nil)
        // Each message names exactly what is missing: Facebook has its id, so only the secret.
        #expect(registry.entry("facebook")?.disabledReason == "FACEBOOK_CLIENT_SECRET is not set")
        #expect(registry.entry("linkedin")?.disabledReason == "LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET are not set")
        #expect(registry.entry("sibling")?.disabledReason == "SIBLING_PROVIDER_URL is not set")
        #expect(registry.entry("oidc")?.disabledReason == "OIDC_DISCOVERY_URL is not set")
    }

    @Test func startUpLogNamesEachProviderAndTheCallbackToRegister() async throws {
        try await SocialSite.with([.github]) { social in
            let sink = LogSink.capturing()
            social.site.services.logProviders(Logger(level: .info, sink: sink))
            let lines = sink.lines.joined(separator: "\n")
            #expect(lines.contains("provider_enabled provider=github callback_url=https://latchkey.test/auth/github/callback"))
            #expect(lines.contains("provider_disabled provider=facebook reason=\"FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET are not set\""))
            #expect(lines.contains("provider_disabled provider=oidc"))
        }
    }

    @Test func disabledProviderCannotBeStartedOrCalledBack() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            let start = await social.start("facebook", client)
            #expect(start.status.code == 404)
            #expect(await client.get("/auth/facebook/callback?code=x&state=y").status.code == 404)
            #expect(await social.start("myspace", client).status.code == 404)
            let pending = try await social.site.count("oauth_states")
            #expect(pending == 0)
        }
    }

    @Test func signInPageOffersOnlyEnabledProviders() async throws {
        try await SocialSite.with([.github, .oidc]) { social in
            let page = await social.site.client().get("/login")
            #expect(page.text.contains("Continue with GitHub"))
            #expect(page.text.contains("Continue with Example ID"))
            #expect(!page.text.contains("Continue with Facebook"))
            #expect(!page.text.contains("Continue with LinkedIn"))
        }
    }

    @Test func redirectURIIsBuiltOnBaseURLWhateverTheHostHeaderSays() async throws {
        try await SocialSite.with([.github]) { social in
            let client = social.site.client()
            client.defaultHeaders = ["Host": "evil.example"]
            let response = await social.start("github", client)
            #expect(FakeBrowser.queryItems(of: response.location ?? "")["redirect_uri"] == "https://latchkey.test/auth/github/callback")
        }
    }

    @Test func redirectURIFollowsTheRequestHostOnlyWithoutBaseURL() async throws {
        try await SocialSite.with([.github], environment: ["BASE_URL": ""]) { social in
            let response = await social.start("github", social.site.client())
            #expect(FakeBrowser.queryItems(of: response.location ?? "")["redirect_uri"] == "http://localhost/auth/github/callback")
        }
    }
}
