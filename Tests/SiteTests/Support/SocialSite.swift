import Accounts
import FakeProviders
import Foundation
import Security
import Storage
import Testing
import Web
import WebTesting

/// A fresh site whose identity providers are running fakes, plus the steps of a social sign-in
/// as a browser takes them: press the provider's button (a CSRF-checked POST), follow the 303 to
/// the fake, approve there, and open the callback the fake redirects to on the site.
struct SocialSite {
    /// The public origin the site is configured with: every callback URL must be built on it.
    static let baseURL = "https://latchkey.test"

    let site: TestSite
    let providers: [any ProviderUnderTest]

    /// Runs `body` against a site configured for the providers of `kinds` (the four fakes by default), and
    /// stops the fakes afterwards whatever happens. `environment` adds or overrides variables.
    static func with(_ kinds: [SocialProviderKind] = SocialProviderKind.fakes, environment: [String: String] = [:],
                     gitHubKind: GitHubFake.ClientKind = .oauthApp, facebookGraphVersion: String = "v25.0",
                     _ body: (SocialSite) async throws -> Void) async throws {
        var providers: [any ProviderUnderTest] = []
        do {
            for kind in kinds { providers.append(try await kind.start(gitHubKind: gitHubKind, facebookGraphVersion: facebookGraphVersion)) }
            var env = ["BASE_URL": baseURL]
            for provider in providers { env.merge(provider.siteEnvironment) { _, new in new } }
            env.merge(environment) { _, new in new }
            let social = SocialSite(site: try await TestSite.make(env), providers: providers)
            try await body(social)
        } catch {
            for provider in providers { await provider.stop() }
            throw error
        }
        for provider in providers { await provider.stop() }
    }

    // MARK: The fakes

    /// The provider of `kind`; it must have been started.
    func provider(_ kind: SocialProviderKind) -> any ProviderUnderTest {
        guard let found = providers.first(where: { $0.siteID == kind.rawValue }) else { preconditionFailure("\(kind) was not started") }
        return found
    }

    var github: GitHubFake { fake(.github) }
    var facebook: FacebookFake { fake(.facebook) }
    var linkedIn: LinkedInFake { fake(.linkedin) }
    var oidc: OIDCFake { fake(.oidc) }

    private func fake<Fake>(_ kind: SocialProviderKind) -> Fake {
        guard let fake = provider(kind) as? Fake else { preconditionFailure("\(kind) is not a \(Fake.self)") }
        return fake
    }

    // MARK: The browser's steps

    /// The CSRF token of `client`'s session, from the sign-in page or, once signed in, the account page.
    func csrfToken(_ client: TestClient) async -> String {
        let token = await client.csrfToken(from: "/login")
        return token.isEmpty ? await client.csrfToken(from: "/account") : token
    }

    /// Presses "Continue with …" (`intent` signin) or "Connect …" (`connect`): the POST that starts.
    func start(_ provider: String, _ client: TestClient, intent: String = "signin", next: String? = nil) async -> TestResponse {
        var form = [("csrf_token", await csrfToken(client)), ("intent", intent)]
        if let next { form.append(("next", next)) }
        return await client.post("/auth/\(provider)", form: form)
    }

    /// Follows the site's redirect to the provider, approves there, and returns the path and
    /// query the provider sends the browser back to on the site.
    func approve(_ start: TestResponse, provider: String? = nil) async throws -> String {
        #expect(start.status.code == 303, "starting did not redirect: \(start.text.prefix(300))")
        let location = try #require(start.location, "no redirect to the provider")
        let approver = try #require(provider.map { id in providers.first { $0.siteID == id } } ?? providers.first { location.hasPrefix($0.authorizeEndpoint) },
                                    "no running provider behind \(location)")
        let callback = try await approver.approve(at: location)
        #expect(callback.hasPrefix("\(Self.baseURL)/auth/\(approver.siteID)/callback?"), "unexpected callback \(callback)")
        return FakeBrowser.pathAndQuery(of: callback)
    }

    /// The whole round trip: start, approve, open the callback; returns the callback's response.
    /// When a new account stops at the profile form (no verified address, or a taken username),
    /// `completeProfile` answers it as someone in a hurry would (the suggested username, no
    /// address) and returns that answer instead, so tests about other things see the account.
    func signIn(with provider: String, _ client: TestClient, intent: String = "signin", next: String? = nil,
                completeProfile: Bool = true) async throws -> TestResponse {
        let callback = try await approve(await start(provider, client, intent: intent, next: next), provider: provider)
        let response = await client.get(callback)
        guard completeProfile, response.location == "/signup/social" else { return response }
        let form = await client.get("/signup/social")
        let token = TestClient.hiddenField("csrf_token", in: form.text) ?? ""
        let username = Self.inputValue("username", in: form.text) ?? ""
        return await client.post("/signup/social", form: [("csrf_token", token), ("username", username), ("skip_email", "1")])
    }

    /// The `value` of the input with id `id` in `html`.
    static func inputValue(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\""), let value = html[start.upperBound...].range(of: "value=\"") else { return nil }
        let rest = html[value.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Connects `provider` to the account signed in on `client`; returns the callback's response.
    func connect(_ provider: String, _ client: TestClient) async throws -> TestResponse {
        try await signIn(with: provider, client, intent: "connect")
    }

    /// Presses "Disconnect" on the account page for the link `accountID`.
    func disconnect(_ accountID: Int64, _ client: TestClient) async -> TestResponse {
        await client.post("/account/connections/\(accountID)/delete", form: [("csrf_token", await csrfToken(client)), ("confirm", "1")])
    }

    /// `callback` (a path and query) with its parameters replaced by `changes` (nil removes one).
    static func callback(_ callback: String, changing changes: [String: String?]) -> String {
        let path = String(callback.split(separator: "?", maxSplits: 1)[0])
        var pairs: [(String, String)] = FakeBrowser.queryItems(of: callback).pairs.compactMap { pair in
            guard let change = changes[pair.name] else { return (pair.name, pair.value) }
            return change.map { (pair.name, $0) }
        }
        for (name, value) in changes where value != nil && !pairs.contains(where: { $0.0 == name }) { pairs.append((name, value!)) }
        return path + "?" + ClientRequest.formEncoded(pairs)
    }

    // MARK: What is stored

    /// Rows in the three tables a social sign-in writes.
    struct Rows: Equatable, CustomStringConvertible {
        var users: Int
        var links: Int
        var tokens: Int

        /// Nothing at all.
        static let none = Rows(users: 0, links: 0, tokens: 0)

        var description: String { "users=\(users) social_accounts=\(links) social_tokens=\(tokens)" }
    }

    /// How many users, social accounts and token rows exist.
    func rows() async throws -> Rows {
        Rows(users: try await site.count("users"), links: try await site.count("social_accounts"),
             tokens: try await site.count("social_tokens"))
    }

    /// The link to `provider` account `uid`, with its token's state.
    func link(_ provider: String, uid: String) async throws -> SocialAccount? {
        try await site.services.database.read { db in try SocialAccountRepository.find(provider: provider, uid: uid, in: db) }
    }

    /// The links of `userID`.
    func links(of userID: Int64) async throws -> [SocialAccount] {
        try await site.services.social.connections(userID: userID)
    }

    /// The user with `id`.
    func user(id: Int64) async throws -> User? {
        try await site.services.database.read { db in try UserRepository.find(id: id, in: db) }
    }

    /// The username of whoever is signed in on `client`, read off the account page; nil when signed out.
    func signedInUsername(_ client: TestClient) async -> String? {
        let page = await client.get("/account")
        guard page.status.code == 200, let start = page.text.range(of: "<dt>Username</dt><dd>") else { return nil }
        let rest = page.text[start.upperBound...]
        return rest.range(of: "</dd>").map { String(rest[..<$0.lowerBound]) }
    }

    /// The SHA-256 (hex) under which the site stores a state.
    static func stateHash(_ state: String) -> String { Hex.encode(SHA256.hash(state)) }
}
