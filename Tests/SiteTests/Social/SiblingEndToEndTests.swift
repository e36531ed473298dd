import Foundation
import Provider
import Security
import Testing
import Web
import WebTesting

/// The site signs in with its sibling provider exactly as with GitHub: two applications, two
/// databases, nothing shared but HTTP. The provider runs on a real socket (the site calls its
/// token and profile endpoints over the network); the browser visits both.
@Suite struct SiblingEndToEndTests {
    static let password = "correct horse battery"

    /// A live provider with one user (`ada`) and a client registered for the site's callback.
    struct Sibling {
        let services: ProviderServices
        let application: Application
        let server: LiveServer
        let clientID: String
        let clientSecret: String
    }

    static func startSibling(siteOrigin: String) async throws -> Sibling {
        let directory = try Scratch.directory("sibling")
        let configuration = try ProviderConfiguration(environment: [
            "APP_ENV": "test",
            "PROVIDER_DATABASE_URL": "sqlite:\(directory)/provider.sqlite3",
            "PROVIDER_BASE_URL": "http://127.0.0.1",
            "TEMPLATES_DIR": TestSite.root + "/Templates",
            "PUBLIC_DIR": TestSite.root + "/Public",
            "MIGRATIONS_DIR": TestSite.root + "/db/migrations",
            "PROVIDER_SECRET_KEY": "sibling-test-secret-0123456789abcdef0123",
            "PASSWORD_HASH_COST": "8",
        ])
        let logger = Logger(level: .warning, sink: LogSink.capturing())
        let services = try await ProviderServices.open(configuration, logger: logger)
        let application = try ProviderApplication.make(services: services, logger: logger)
        _ = try await services.users.create(NewUser(username: "ada", email: "ada@example.com", name: "Ada Lovelace",
                                                    emailVerified: true, isAdmin: false), password: password)
        let registered = try await services.clients.register(NewClient(
            name: "Latchkey site", redirectURIs: ["\(siteOrigin)/auth/sibling/callback"]))
        let server = try LiveServer.start(application)
        return Sibling(services: services, application: application, server: server,
                       clientID: registered.client.clientID, clientSecret: try #require(registered.secret))
    }

    @Test func signsInThroughTheSiblingAndStoresItsTokensEncrypted() async throws {
        let origin = "https://site.test"
        let sibling = try await Self.startSibling(siteOrigin: origin)
        defer { Task { await sibling.server.stop() } }
        let site = try await TestSite.make([
            "BASE_URL": origin,
            "SIBLING_PROVIDER_URL": sibling.server.baseURL,
            "SIBLING_ISSUER": "http://127.0.0.1",
            "SIBLING_CLIENT_ID": sibling.clientID,
            "SIBLING_CLIENT_SECRET": sibling.clientSecret,
        ])
        let browser = site.client()
        let providerBrowser = TestClient(sibling.application)

        // The site's sign-in page offers the sibling; pressing it starts the flow with PKCE.
        let login = await browser.get("/login")
        #expect(login.text.contains("Continue with Latchkey ID"))
        let csrf = try #require(TestClient.hiddenField("csrf_token", in: login.text))
        let start = await browser.post("/auth/sibling", form: [("csrf_token", csrf), ("intent", "signin")])
        #expect(start.status == .seeOther)
        let authorize = try #require(start.location)
        #expect(authorize.hasPrefix(sibling.server.baseURL + "/oauth/authorize?"))
        #expect(authorize.contains("code_challenge_method=S256"))
        let authorizePath = String(authorize.dropFirst(sibling.server.baseURL.count))

        // At the provider: signed out, so it asks to sign in first, then shows the consent page.
        let toLogin = await providerBrowser.get(authorizePath)
        #expect(toLogin.status == .seeOther || toLogin.status == .found)
        let providerLogin = await providerBrowser.get("/login")
        let providerCSRF = try #require(TestClient.hiddenField("csrf_token", in: providerLogin.text))
        _ = await providerBrowser.post("/login", form: [("csrf_token", providerCSRF), ("username", "ada"), ("password", Self.password)])
        let consent = await providerBrowser.get(authorizePath)
        #expect(consent.status == .ok)
        #expect(consent.text.contains("Latchkey site"))
        let consentCSRF = try #require(TestClient.hiddenField("csrf_token", in: consent.text))
        let query = try #require(FormData(urlEncoded: Substring(authorizePath.split(separator: "?", maxSplits: 1)[1])))
        let allowed = await providerBrowser.post("/oauth/authorize", form: query.pairs.map { ($0.name, $0.value) }
                                                 + [("csrf_token", consentCSRF), ("decision", "allow")])
        let callback = try #require(allowed.location)
        #expect(callback.hasPrefix("\(origin)/auth/sibling/callback?"))

        // Back at the site: signed in as a new user made from the sibling's profile.
        let done = await browser.get(String(callback.dropFirst(origin.count)))
        #expect(done.status == .seeOther)
        let account = await browser.follow(done)
        #expect(account.status == .ok)
        #expect(account.text.contains("ada"))
        #expect(account.text.contains("Latchkey ID"))

        let rows = try await site.query("""
            SELECT a.provider_uid, a.login, a.email, a.email_verified, t.access_token_enc, t.refresh_token_enc, t.status
            FROM social_accounts a JOIN social_tokens t ON t.social_account_id = a.id WHERE a.provider = 'sibling'
            """)
        let row = try #require(rows.first)
        #expect(try row.string("login") == "ada")
        #expect(try row.bool("email_verified"))
        #expect(try row.string("status") == "active")
        #expect(try row.optionalString("refresh_token_enc") != nil, "the sibling issues refresh tokens, and the site keeps them")

        // The stored tokens are ciphertexts: the site can decrypt and use them, and they work at the provider.
        let accountID = try await site.query("SELECT id FROM social_accounts WHERE provider = 'sibling'").first!.int64("id")
        let token = try await site.services.social.validAccessToken(accountID: accountID)
        #expect(try row.string("access_token_enc").contains(token) == false)
        let profile = try await CurlHTTPClient().send(.get(sibling.server.baseURL + "/api/profile", headers: ["Authorization": "Bearer \(token)"]))
        #expect(profile.status == 200)
        #expect(profile.text.contains("\"username\":\"ada\""))

        // And not one byte of the token is in the site's database file.
        if ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] == nil {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: site.directory + "/site.sqlite3"))
            if let wal = try? Data(contentsOf: URL(fileURLWithPath: site.directory + "/site.sqlite3-wal")) { bytes.append(wal) }
            #expect(bytes.range(of: Data(token.utf8)) == nil)
        }
    }
}
