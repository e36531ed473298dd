import Identity
import Foundation
import Provider
import Storage
import Synchronization
import Testing
import Web
import WebTesting

/// A clock tests can move, so expiry is tested without waiting.
final class ManualClock: Sendable {
    private let seconds = Mutex(1_800_000_000)

    var now: Int { seconds.withLock { $0 } }

    /// Moves time forward.
    func advance(_ delta: Int) { seconds.withLock { $0 += delta } }

    var providerClock: Clock { Clock { [self] in now } }
}

/// A fresh provider for one test: its own SQLite file in a temporary folder, the repository's
/// real templates, migrations and static files, cheap password hashing and a movable clock.
/// Built through the same factory as `latchkey provider`.
struct TestProvider {
    static let issuer = "http://provider.test"
    static let password = "correct horse battery"

    let services: ProviderServices
    let application: Application
    let clock: ManualClock
    let directory: String
    let logs: LogSink

    /// The repository root, found from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The environment a test provider runs with; `overrides` replace or add variables.
    static func environment(directory: String, _ overrides: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "APP_ENV": "test",
            "PROVIDER_DATABASE_URL": "sqlite:\(directory)/provider.sqlite3",
            "PROVIDER_BASE_URL": issuer,
            "TEMPLATES_DIR": root + "/Templates",
            "PUBLIC_DIR": root + "/Public",
            "MIGRATIONS_DIR": root + "/db/migrations",
            "PROVIDER_SECRET_KEY": "provider-test-secret-0123456789abcdef0123",
            "PASSWORD_HASH_COST": "8",
        ]
        for (key, value) in overrides { env[key] = value }
        return env
    }

    /// When `TEST_PROVIDER_DATABASE_URL` names a PostgreSQL server, a URL for a fresh schema of
    /// its own there (through `search_path`), so tests neither see nor disturb each other.
    static func postgresURL() async throws -> String? {
        guard let base = ProcessInfo.processInfo.environment["TEST_PROVIDER_DATABASE_URL"], !base.isEmpty else { return nil }
        let schema = "provider_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try openDatabase(url: base)
        defer { admin.close() }
        _ = try await admin.write { try $0.execute("CREATE SCHEMA \(schema)") }
        return base + (base.contains("?") ? "&" : "?") + "pool=2&options=-c%20search_path%3D\(schema)"
    }

    /// Builds a provider; `environment` overrides or adds configuration variables.
    static func make(_ environment: [String: String] = [:]) async throws -> TestProvider {
        let directory = NSTemporaryDirectory() + "latchkey-provider-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var environment = environment
        if environment["PROVIDER_DATABASE_URL"] == nil, let postgres = try await postgresURL() { environment["PROVIDER_DATABASE_URL"] = postgres }
        let configuration = try ProviderConfiguration(environment: Self.environment(directory: directory, environment))
        let logs = LogSink.capturing()
        let logger = Logger(level: .info, sink: logs)
        let clock = ManualClock()
        let services = try await ProviderServices.open(configuration, logger: logger, clock: clock.providerClock)
        let application = try ProviderApplication.make(services: services, logger: logger)
        return TestProvider(services: services, application: application, clock: clock, directory: directory, logs: logs)
    }

    /// A new in-process browser with an empty cookie jar.
    func browser() -> TestClient { TestClient(application) }

    /// Creates a user through the service (as `latchkey provider create-user` does).
    @discardableResult
    func createUser(_ username: String, admin: Bool = false, verified: Bool = true, name: String = "") async throws -> ProviderUser {
        try await services.users.create(NewUser(username: username, email: "\(username)@example.com", name: name,
                                                emailVerified: verified, isAdmin: admin), password: Self.password)
    }

    /// Registers a client; confidential by default, with every standard scope. PKCE is not
    /// required by default here (`requirePKCE`), unlike `NewClient`'s default: most tests are
    /// about something else, and such a client is what every client registered before issue 15
    /// still is (migration 007). The tests of the requirement turn it on.
    func registerClient(name: String = "Test App", redirectURIs: [String] = ["https://app.test/callback"],
                        grants: Set<GrantType> = [.authorizationCode, .refreshToken], scopes: String = "openid profile email",
                        confidential: Bool = true, skipConsent: Bool = false, resourceServer: Bool = false,
                        requirePKCE: Bool = false, accessTokenFormat: AccessTokenFormat = .opaque) async throws -> TestOAuthClient {
        let registered = try await services.clients.register(NewClient(
            name: name, redirectURIs: redirectURIs, grantTypes: grants, scopes: ScopeSet(parsing: scopes)!,
            isConfidential: confidential, skipsConsent: skipConsent, isResourceServer: resourceServer, requiresPKCE: requirePKCE,
            accessTokenFormat: accessTokenFormat))
        return TestOAuthClient(id: registered.client.clientID, secret: registered.secret, redirectURI: redirectURIs.first ?? "")
    }

    /// Runs SQL against the provider's database and returns the rows.
    func query(_ sql: String, _ params: any SQLBindable...) async throws -> [Row] {
        let values = params.map(\.sqlValue)
        return try await services.database.read { db in try db.query(sql, values) }
    }

    /// The number of rows in `table`.
    func count(_ table: String) async throws -> Int {
        try await query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n") ?? 0
    }
}

/// A registered client as its developer holds it.
struct TestOAuthClient: Sendable {
    let id: String
    let secret: String?
    let redirectURI: String

    /// `Authorization: Basic …` for this client (RFC 6749 §2.3.1).
    var basic: HTTPHeaders {
        let raw = FormData.encode(id) + ":" + FormData.encode(secret ?? "")
        return ["Authorization": "Basic " + Data(raw.utf8).base64EncodedString()]
    }
}

extension TestProvider {
    /// Tokens for `username` through the password grant (the client must be allowed it): the
    /// quickest way to a user token for tests about what tokens can do, not how they are got.
    func userTokens(_ client: TestOAuthClient, username: String = "alice", scope: String = "openid profile email") async throws -> (access: String, refresh: String?) {
        let reply = await browser().token([("grant_type", "password"), ("username", username), ("password", Self.password),
                                           ("scope", scope)], headers: client.basic)
        let access = try #require(reply.fields["access_token"] as? String, "password grant failed: \(reply.text)")
        return (access, reply.fields["refresh_token"] as? String)
    }
}
