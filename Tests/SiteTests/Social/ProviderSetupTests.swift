import Accounts
import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// Setting providers up (issue 16, point 5): LinkedIn's issuer is its own setting, any number of
/// OpenID Connect providers sit side by side, a discovery URL that does not answer says why, and
/// a half-configured provider names the variable it lacks.
@Suite struct ProviderSetupTests {
    // MARK: LinkedIn's issuer

    @Test func linkedInIssuerIsLinkedInsOwnWhateverTheURLsSay() async throws {
        let linkedIn = try LinkedInFake.withPerson()
        // A fake standing where LinkedIn is, behind moved URLs, issuing as LinkedIn does.
        linkedIn.useIssuer("https://www.linkedin.com/oauth")
        var env = linkedIn.siteEnvironment
        env["LINKEDIN_ISSUER"] = nil
        env["BASE_URL"] = SocialSite.baseURL
        let social = SocialSite(site: try await TestSite.make(env), providers: [linkedIn])
        let response = try await social.signIn(with: "linkedin", social.site.client())
        #expect(response.status.code == 303, "sign-in failed: \(response.text.prefix(300))")
        #expect(try await social.link("linkedin", uid: LinkedInFake.personSub) != nil)
        await linkedIn.stop()
    }

    @Test func linkedInIssuerCanBeSetForAStandIn() async throws {
        let linkedIn = try LinkedInFake.withPerson()
        // Issuing as itself (`<base>/oauth`): only LINKEDIN_ISSUER makes its tokens acceptable.
        var env = linkedIn.siteEnvironment
        env["BASE_URL"] = SocialSite.baseURL
        env["LINKEDIN_ISSUER"] = nil
        let refusing = SocialSite(site: try await TestSite.make(env), providers: [linkedIn])
        let refused = try await refusing.signIn(with: "linkedin", refusing.site.client())
        #expect(refused.status.code == 502)
        #expect(try await refusing.rows() == .none)

        env["LINKEDIN_ISSUER"] = linkedIn.issuer
        let accepting = SocialSite(site: try await TestSite.make(env), providers: [linkedIn])
        let accepted = try await accepting.signIn(with: "linkedin", accepting.site.client())
        #expect(accepted.status.code == 303, "sign-in failed: \(accepted.text.prefix(300))")
        await linkedIn.stop()
    }

    // MARK: Several OpenID Connect providers

    /// Two fakes as `google` and `microsoft`, each with its own client.
    static func twoProviders() throws -> (google: OIDCFake, microsoft: OIDCFake, env: [String: String]) {
        let google = try OIDCFake(clientID: "google-client", clientSecret: "google-secret")
        google.addUser(sub: "g-1", name: "Gina Google", email: "gina@example.com", emailVerified: true, preferredUsername: "gina")
        let microsoft = try OIDCFake(clientID: "microsoft-client", clientSecret: "microsoft-secret")
        microsoft.addUser(sub: "m-1", name: "Mike Soft", email: "mike@example.com", emailVerified: true, preferredUsername: "mike")
        let env = ["BASE_URL": SocialSite.baseURL, "OIDC_PROVIDERS": "google, Microsoft",
                   "OIDC_GOOGLE_DISCOVERY_URL": google.discoveryURL, "OIDC_GOOGLE_CLIENT_ID": "google-client",
                   "OIDC_GOOGLE_CLIENT_SECRET": "google-secret",
                   "OIDC_MICROSOFT_DISCOVERY_URL": microsoft.discoveryURL, "OIDC_MICROSOFT_CLIENT_ID": "microsoft-client",
                   "OIDC_MICROSOFT_CLIENT_SECRET": "microsoft-secret", "OIDC_MICROSOFT_NAME": "Microsoft Entra"]
        return (google, microsoft, env)
    }

    /// Start, approve at the fake, open the callback: the steps of `SocialSite.signIn` for a
    /// provider whose site id is not its fake's.
    static func signIn(_ site: TestSite, _ provider: String, _ client: TestClient) async throws -> TestResponse {
        let start = await client.post("/auth/\(provider)", form: [("csrf_token", await client.csrfToken(from: "/login")), ("intent", "signin")])
        #expect(start.status.code == 303, "starting did not redirect: \(start.text.prefix(300))")
        let callback = try await FakeBrowser.authorize(try #require(start.location))
        #expect(callback.hasPrefix("\(SocialSite.baseURL)/auth/\(provider)/callback?"))
        return await client.get(FakeBrowser.pathAndQuery(of: callback))
    }

    @Test func twoOpenIDConnectProvidersSignPeopleInSideBySide() async throws {
        let (google, microsoft, env) = try Self.twoProviders()
        let site = try await TestSite.make(env)
        let registry = site.services.social.registry
        #expect(registry.enabled.map(\.id) == ["google", "microsoft"])
        #expect(registry.entry("microsoft")?.displayName == "Microsoft Entra")
        #expect(registry.entry("google")?.displayName == "Google")
        let login = await site.client().get("/login")
        #expect(login.text.contains("Continue with Google") && login.text.contains("Continue with Microsoft Entra"))

        let gina = site.client(), mike = site.client()
        #expect(try await Self.signIn(site, "google", gina).status.code == 303)
        #expect(try await Self.signIn(site, "microsoft", mike).status.code == 303)
        let links = try await site.query("SELECT provider, provider_uid FROM social_accounts ORDER BY provider")
        let pairs = try links.map { "\(try $0.string("provider")):\(try $0.string("provider_uid"))" }
        #expect(pairs == ["google:g-1", "microsoft:m-1"])
        #expect(await gina.get("/account").text.contains("gina"))
        #expect(await mike.get("/account").text.contains("mike"))
        await google.stop()
        await microsoft.stop()
    }

    @Test func unusableProviderNamesAreReportedNotUsed() async throws {
        let registry = ProviderRegistry(environment: ["OIDC_PROVIDERS": "github,../x,ok-1,ok-1", "OIDC_OK_1_CLIENT_ID": "id"],
                                        http: CurlHTTPClient())
        #expect(registry.entries.map(\.id) == ["github", "facebook", "linkedin", "sibling", "oidc", "ok-1"])
        #expect(registry.entry("ok-1")?.disabledReason == "OIDC_OK_1_CLIENT_SECRET and OIDC_OK_1_DISCOVERY_URL are not set")
        #expect(registry.problems.count == 2)
        #expect(registry.problems.contains { $0.contains("\"github\" is taken by a built-in provider") })
        #expect(registry.problems.contains { $0.contains("\"../x\" is not a usable name") })
    }

    // MARK: Discovery that does not answer

    @Test func unreachableDiscoveryLogsItsReasonAtStartUpOnTheAdminPageAndOnTheFailedSignIn() async throws {
        let (google, down, env) = try Self.twoProviders()
        await down.stop()  // nothing listens at its discovery URL any more
        let site = try await TestSite.make(env)
        let sink = LogSink.capturing()
        let logger = Logger(level: .info, sink: sink)
        site.services.logProviders(logger)
        await site.services.checkDiscovery(logger).value
        let lines = sink.lines.joined(separator: "\n")
        #expect(lines.contains("provider_enabled provider=microsoft"))
        #expect(lines.contains("discovery=checking"))
        #expect(lines.contains("provider_discovery_ok provider=google"))
        let failed = try #require(sink.lines.first { $0.contains("provider_discovery_failed provider=microsoft") })
        #expect(failed.contains("reason=") && failed.contains(down.discoveryURL.replacingOccurrences(of: "/.well-known/openid-configuration", with: "")))

        let admin = try await site.adminClient()
        let page = await admin.get("/admin/providers")
        #expect(page.status.code == 200)
        #expect(page.text.contains("discovery failed"))
        #expect(page.text.contains("discovery answers"))
        #expect(site.logs.lines.contains { $0.contains("provider_discovery_failed provider=microsoft") && $0.contains("reason=") })

        let client = site.client()
        let start = await client.post("/auth/microsoft", form: [("csrf_token", await client.csrfToken(from: "/login")), ("intent", "signin")])
        #expect(start.status.code == 502)
        #expect(start.text.contains("not answering"))
        let logged = try #require(site.logs.lines.last { $0.contains("social_auth_failed provider=microsoft") })
        #expect(logged.contains("provider unavailable"), "no reason in \(logged)")
        #expect(try await site.count("oauth_states") == 0)
        await google.stop()
    }

    // MARK: Half-configured providers

    @Test func startUpNamesTheMissingVariable() async throws {
        let site = try await TestSite.make(["GITHUB_CLIENT_ID": "only-the-id", "SIBLING_CLIENT_SECRET": "s", "SIBLING_PROVIDER_URL": "http://127.0.0.1:9",
                                            "OIDC_PROVIDERS": "google", "OIDC_GOOGLE_CLIENT_ID": "id", "OIDC_GOOGLE_CLIENT_SECRET": "s"])
        let sink = LogSink.capturing()
        site.services.logProviders(Logger(level: .info, sink: sink))
        let lines = sink.lines.joined(separator: "\n")
        #expect(lines.contains("provider_disabled provider=github reason=\"GITHUB_CLIENT_SECRET is not set\""))
        #expect(lines.contains("provider_disabled provider=sibling reason=\"SIBLING_CLIENT_ID is not set\""))
        #expect(lines.contains("provider_disabled provider=google reason=\"OIDC_GOOGLE_DISCOVERY_URL is not set\""))
    }
}
