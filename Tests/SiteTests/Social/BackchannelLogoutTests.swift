import Accounts
import Foundation
import Provider
import Security
import Synchronization
import Testing
import Web
import WebTesting

/// Back-channel logout sent by the provider straight into the in-process site, as if over HTTP.
final class InProcessHTTP: HTTPClient {
    let origin: String
    let site: TestClient
    let answers = Mutex<[Int]>([])

    init(origin: String, site: TestClient) {
        self.origin = origin
        self.site = site
    }

    func send(_ request: ClientRequest) async throws(ClientError) -> ClientResponse {
        let path = String(request.url.dropFirst(origin.count))
        let form = request.body.flatMap { FormData(urlEncoded: Substring(String(decoding: $0, as: UTF8.self))) } ?? FormData()
        let response = await site.post(path, form: form.pairs.map { ($0.name, $0.value) })
        answers.withLock { $0.append(response.status.code) }
        return ClientResponse(status: response.status.code, body: Array(response.text.utf8))
    }
}

/// Latchkey ID's back-channel logout ends the site sessions its sign-in created (issue 15, point 7).
@Suite struct BackchannelLogoutTests {
    static let origin = "http://localhost"

    struct World {
        let sibling: SiblingEndToEndTests.Sibling
        let site: TestSite
        let providerApp: Application
        let bridge: InProcessHTTP
    }

    static func world() async throws -> World {
        let sibling = try await SiblingEndToEndTests.startSibling(siteOrigin: origin)
        let site = try await TestSite.make([
            "BASE_URL": origin, "SIBLING_PROVIDER_URL": sibling.server.baseURL, "SIBLING_ISSUER": "http://127.0.0.1",
            "SIBLING_CLIENT_ID": sibling.clientID, "SIBLING_CLIENT_SECRET": sibling.clientSecret,
        ])
        #expect(try await sibling.services.clients.setLogoutSettings(sibling.clientID, ClientLogoutSettings(
            postLogoutRedirectURIs: [origin + "/"], backchannelLogoutURI: origin + "/auth/sibling/backchannel-logout")))
        var services = sibling.services
        let bridge = InProcessHTTP(origin: origin, site: site.client())
        services.logoutHTTP = bridge
        return World(sibling: sibling, site: site, providerApp: try ProviderApplication.make(services: services), bridge: bridge)
    }

    /// Signs ada in to the site through the provider in `provider` (a provider browser); returns the site browser.
    static func signIn(_ world: World, provider: TestClient) async throws -> TestClient {
        let browser = world.site.client()
        let login = await browser.get("/login")
        let csrf = try #require(TestClient.hiddenField("csrf_token", in: login.text))
        let start = await browser.post("/auth/sibling", form: [("csrf_token", csrf), ("intent", "signin")])
        let authorizePath = String(try #require(start.location).dropFirst(world.sibling.server.baseURL.count))
        if await provider.get("/account").status != .ok {
            let providerLogin = await provider.get("/login")
            let providerCSRF = try #require(TestClient.hiddenField("csrf_token", in: providerLogin.text))
            _ = await provider.post("/login", form: [("csrf_token", providerCSRF), ("username", "ada"), ("password", SiblingEndToEndTests.password)])
        }
        var answer = await provider.get(authorizePath)
        if answer.status == .ok {
            let consentCSRF = try #require(TestClient.hiddenField("csrf_token", in: answer.text))
            let query = try #require(FormData(urlEncoded: Substring(authorizePath.split(separator: "?", maxSplits: 1)[1])))
            answer = await provider.post("/oauth/authorize", form: query.pairs.map { ($0.name, $0.value) } + [("csrf_token", consentCSRF), ("decision", "allow")])
        }
        let callback = try #require(answer.location)
        let done = await browser.get(String(callback.dropFirst(origin.count)))
        try #require(done.status == .seeOther)
        try #require(await browser.get("/account").status == .ok)
        return browser
    }

    /// Waits (boundedly) for the provider's background POSTs to have been answered.
    static func answers(_ world: World, count: Int) async -> [Int] {
        for _ in 0..<200 {
            let answers = world.bridge.answers.withLock { $0 }
            if answers.count >= count { return answers }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return world.bridge.answers.withLock { $0 }
    }

    @Test func providerLogoutEndsTheSessionsThatSignInCreatedOnly() async throws {
        let world = try await Self.world()
        defer { Task { await world.sibling.server.stop() } }
        let provider = TestClient(world.providerApp)
        let first = try await Self.signIn(world, provider: provider)
        let second = try await Self.signIn(world, provider: provider)        // same provider session: same sid
        let elsewhere = TestClient(world.providerApp)
        let other = try await Self.signIn(world, provider: elsewhere)         // another provider session

        let token = await provider.csrfToken(from: "/account")
        _ = await provider.post("/logout", form: [("csrf_token", token)])
        #expect(await Self.answers(world, count: 1) == [200])
        #expect(await first.get("/account").status == .seeOther, "signed out of the site")
        #expect(await second.get("/account").status == .seeOther)
        #expect(await other.get("/account").status == .ok, "a sign-in from another provider session stays")
    }

    /// A logout token as the provider would make it, with `change` applied.
    static func logoutToken(_ world: World, key: RSAPrivateKey? = nil, kid: String? = nil,
                            _ change: (inout [String: JSONValue]) -> Void = { _ in }) throws -> String {
        let keys = world.sibling.services.signingKeys
        var claims: [String: JSONValue] = [
            "iss": "http://127.0.0.1", "aud": .string(world.sibling.clientID), "iat": .int(Int(Date().timeIntervalSince1970)),
            "exp": .int(Int(Date().timeIntervalSince1970) + 120), "jti": .string(SecureRandom.token(byteCount: 16)),
            "sub": "1", "sid": "some-sid", "events": ["http://schemas.openid.net/event/backchannel-logout": [:]],
        ]
        change(&claims)
        return try JWT.sign(claims: JSONValue.object(claims), key: key ?? keys.active, kid: kid ?? keys.activeKeyID)
    }

    @Test func badLogoutTokensAreRefused() async throws {
        let world = try await Self.world()
        defer { Task { await world.sibling.server.stop() } }
        let site = world.site.client()
        let path = "/auth/sibling/backchannel-logout"
        let good = try Self.logoutToken(world)
        #expect(await site.post(path, form: [("logout_token", good)]).status == .ok)
        let replay = await site.post(path, form: [("logout_token", good)])
        #expect(replay.status == .badRequest && replay.text.contains("used already"), "replay")

        let other = try RSAPrivateKey.generate(bits: 2048)
        let cases: [(String, String)] = [
            (try Self.logoutToken(world) { $0["aud"] = "another-client" }, "wrong aud"),
            (try Self.logoutToken(world) { $0["nonce"] = "n" }, "nonce present"),
            (try Self.logoutToken(world) { $0["events"] = nil }, "missing events"),
            (try Self.logoutToken(world) { $0["events"] = ["http://example.com/other": [:]] }, "other event"),
            (try Self.logoutToken(world, key: other), "bad signature"),
            (try Self.logoutToken(world) { $0["iss"] = "http://evil.test" }, "wrong iss"),
            (try Self.logoutToken(world) { $0["iat"] = .int(Int(Date().timeIntervalSince1970) - 3_600) }, "old iat"),
            (try Self.logoutToken(world) { $0["jti"] = nil }, "no jti"),
            (try Self.logoutToken(world) { $0["sub"] = nil; $0["sid"] = nil }, "neither sub nor sid"),
            ("not-a-jwt", "malformed"),
        ]
        for (token, label) in cases {
            let response = await site.post(path, form: [("logout_token", token)])
            #expect(response.status == .badRequest, "\(label)")
            #expect(response.text.contains("invalid_request"), "\(label)")
        }
        #expect(await site.post(path, form: []).status == .badRequest)
        #expect(await site.post(path, form: [("logout_token", good), ("logout_token", good)]).status == .badRequest)
    }

    /// A token naming only a `sid` (its `sub` linked to nobody here) finds the session by that
    /// sid, read as a literal: `-`, `_` and `%` are ordinary characters of it.
    @Test func aSidAloneFindsItsSessionWhateverItsCharacters() async throws {
        let world = try await Self.world()
        defer { Task { await world.sibling.server.stop() } }
        let browser = try await Self.signIn(world, provider: TestClient(world.providerApp))
        let row = try #require(try await world.site.query("SELECT id_hash, data FROM sessions WHERE data LIKE ?", "%upstream_logout%").first)
        var values = try JSONDecoder().decode([String: String].self, from: Data(try row.string("data").utf8))
        var parts = try #require(values[BackchannelLogoutReceiver.sessionKey]).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        parts[2] = "a-b_c%d"
        values[BackchannelLogoutReceiver.sessionKey] = parts.joined(separator: " ")
        let data = String(decoding: try JSONEncoder().encode(values), as: UTF8.self), id = try row.string("id_hash")
        try await world.site.services.database.write { db in _ = try db.execute("UPDATE sessions SET data = ? WHERE id_hash = ?", data, id) }

        let path = "/auth/sibling/backchannel-logout"
        let lookalike = try Self.logoutToken(world) { $0["sub"] = nil; $0["sid"] = "a_b_c%d" }
        #expect(await world.site.client().post(path, form: [("logout_token", lookalike)]).status == .ok)
        #expect(await browser.get("/account").status == .ok, "a sid that only matches as a pattern ends nothing")
        let exact = try Self.logoutToken(world) { $0["sub"] = nil; $0["sid"] = "a-b_c%d" }
        #expect(await world.site.client().post(path, form: [("logout_token", exact)]).status == .ok)
        #expect(await browser.get("/account").status == .seeOther, "signed out of the site")
    }

    @Test func concurrentReplaysEndOnce() async throws {
        let world = try await Self.world()
        defer { Task { await world.sibling.server.stop() } }
        let token = try Self.logoutToken(world)
        let site = world.site
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask { await site.client().post("/auth/sibling/backchannel-logout", form: [("logout_token", token)]).status.code }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1 && statuses.filter { $0 == 400 }.count == 5)
    }
}
