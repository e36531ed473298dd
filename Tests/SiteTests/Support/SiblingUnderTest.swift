import Foundation
import Provider
import Storage
import Synchronization
import Testing
import Web
import WebTesting

/// The real sibling provider (`Sources/Provider`) as a contract-test provider: a live server on
/// 127.0.0.1 with its own SQLite database, one person (`ada`), a client registered for the test
/// site's callback, and a browser already signed in there that allows (or denies) on the
/// consent page.
final class SiblingUnderTest: ProviderUnderTest, @unchecked Sendable {
    let services: ProviderServices
    let application: Application
    let server: LiveServer
    let clientID: String
    let clientSecret: String
    private let browser: TestClient
    private let userID: Int64
    private let denyNext = Atomic<Bool>(false)
    private let current: Mutex<ExpectedProfile>

    var siteID: String { "sibling" }
    var displayName: String { "Latchkey ID" }
    var siteEnvironment: [String: String] {
        ["SIBLING_PROVIDER_URL": server.baseURL, "SIBLING_ISSUER": "http://127.0.0.1", "SIBLING_CLIENT_ID": clientID,
         "SIBLING_CLIENT_SECRET": clientSecret]
    }
    var authorizeEndpoint: String { server.baseURL + "/oauth/authorize" }
    var expectedScope: String { "openid profile email" }
    var usesPKCE: Bool { true }
    var usesNonce: Bool { true }
    var person: ExpectedProfile { current.withLock { $0 } }

    static func start() async throws -> SiblingUnderTest {
        let directory = try Scratch.directory("sibling-contract")
        let configuration = try ProviderConfiguration(environment: [
            "APP_ENV": "test",
            "PROVIDER_DATABASE_URL": "sqlite:\(directory)/provider.sqlite3",
            "PROVIDER_BASE_URL": "http://127.0.0.1",
            "TEMPLATES_DIR": TestSite.root + "/Templates",
            "PUBLIC_DIR": TestSite.root + "/Public",
            "MIGRATIONS_DIR": TestSite.root + "/db/migrations",
            "PROVIDER_SECRET_KEY": "sibling-contract-secret-0123456789abcdef",
            "PASSWORD_HASH_COST": "8",
        ])
        let logger = Logger(level: .warning, sink: LogSink.capturing())
        let services = try await ProviderServices.open(configuration, logger: logger)
        let application = try ProviderApplication.make(services: services, logger: logger)
        let password = "correct horse battery"
        let user = try await services.users.create(NewUser(username: "ada", email: "ada@example.org", name: "Ada Lovelace",
                                                           emailVerified: true, isAdmin: false), password: password)
        let registered = try await services.clients.register(NewClient(
            name: "Latchkey site", redirectURIs: ["\(SocialSite.baseURL)/auth/sibling/callback"]))
        let browser = TestClient(application)
        let login = await browser.get("/login")
        let token = TestClient.hiddenField("csrf_token", in: login.text) ?? ""
        _ = await browser.post("/login", form: [("csrf_token", token), ("username", "ada"), ("password", password)])
        return SiblingUnderTest(services: services, application: application, server: try LiveServer.start(application),
                                clientID: registered.client.clientID, clientSecret: try #require(registered.secret),
                                browser: browser, userID: user.id)
    }

    private init(services: ProviderServices, application: Application, server: LiveServer, clientID: String, clientSecret: String,
                 browser: TestClient, userID: Int64) {
        self.services = services
        self.application = application
        self.server = server
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.browser = browser
        self.userID = userID
        current = Mutex(ExpectedProfile(uid: String(userID), login: "ada", name: "Ada Lovelace", email: "ada@example.org",
                                        emailVerified: true, avatarURL: nil))
    }

    /// The consent page, answered as the person would; the provider redirects to the callback.
    func approve(at url: String) async throws -> String {
        let path = String(url.dropFirst(server.baseURL.count))
        let page = await browser.get(path)
        if page.status == .found, let location = page.location { return location }
        try #require(page.status == .ok, "expected the consent page, got \(page.status.code)")
        let token = try #require(TestClient.hiddenField("csrf_token", in: page.text))
        let query = try #require(FormData(urlEncoded: Substring(path.split(separator: "?", maxSplits: 1).last ?? "")))
        let decision = denyNext.exchange(false, ordering: .relaxed) ? "deny" : "allow"
        let answer = await browser.post("/oauth/authorize", form: query.pairs.map { ($0.name, $0.value) }
                                        + [("csrf_token", token), ("decision", decision)])
        return try #require(answer.location, "the consent answer did not redirect: \(answer.status.code)")
    }

    func denyNextAuthorization() { denyNext.store(true, ordering: .relaxed) }

    func changePerson() -> ExpectedProfile {
        let changed = ExpectedProfile(uid: String(userID), login: "countess", name: "Augusta Ada King", email: "countess@example.org",
                                      emailVerified: true, avatarURL: nil)
        let database = services.database, id = userID
        // The test awaits nothing here, so block briefly on the write: it is a local SQLite file.
        let done = DispatchSemaphore(value: 0)
        Task {
            try? await database.write { db in
                _ = try db.execute("UPDATE users SET username = ?, username_key = ?, email = ?, email_key = ?, name = ? WHERE id = ?",
                                   "countess", "countess", "countess@example.org", "countess@example.org", "Augusta Ada King", id)
            }
            done.signal()
        }
        done.wait()
        current.withLock { $0 = changed }
        return changed
    }

    func stop() async { await server.stop() }
}
