import Foundation
import Identity
import Site
import Storage
import Web
import WebTesting

/// A fresh site for one test: its own SQLite file in a temporary folder, the repository's real
/// templates, migrations and static files, and cheap password hashing. Built through the same
/// factory as `latchkey serve`.
struct TestSite: Sendable {
    let services: SiteServices
    let application: Application
    let directory: String
    let logs: LogSink

    // No explicit close: the database's pool closes its connections when the last holder (this
    // site, its application, a client) is gone, which keeps the shared CI PostgreSQL server
    // from running out of connections.

    /// The repository root, found from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Builds a site; `environment` overrides or adds configuration variables, `clock` tells its time.
    static func make(_ environment: [String: String] = [:], clock: Clock = .system) async throws -> TestSite {
        let directory = try Scratch.directory("site")
        var env: [String: String] = [
            "APP_ENV": "test",
            "DATABASE_URL": "sqlite:\(directory)/site.sqlite3",
            "TEMPLATES_DIR": root + "/Templates",
            "PUBLIC_DIR": root + "/Public",
            "MIGRATIONS_DIR": root + "/db/migrations",
            "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789",
            "PASSWORD_HASH_COST": "10",
        ]
        if let postgres = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !postgres.isEmpty, environment["DATABASE_URL"] == nil {
            env["DATABASE_URL"] = try await freshSchema(in: postgres)
        }
        for (key, value) in environment { env[key] = value }
        let configuration = try SiteConfiguration(environment: env)
        let logs = LogSink.capturing()
        let logger = Logger(level: .info, sink: logs)
        let services = try await SiteServices.open(configuration, logger: logger, clock: clock)
        let application = try SiteApplication.make(services: services, logger: logger)
        return TestSite(services: services, application: application, directory: directory, logs: logs)
    }

    /// A PostgreSQL URL confined to a new, empty schema (through `search_path`), so every test
    /// gets a database of its own on the shared CI server, as it does with SQLite files.
    static func freshSchema(in base: String) async throws -> String {
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try openDatabase(url: base)
        try await admin.write { db in _ = try db.execute("CREATE SCHEMA \(schema)") }
        admin.close()
        let separator = base.contains("?") ? "&" : "?"
        return base + separator + "pool=1&options=-c%20search_path%3D\(schema)"
    }

    /// A new in-process browser with an empty cookie jar.
    func client() -> TestClient { TestClient(application) }

    /// Runs SQL against the site's database and returns the rows.
    func query(_ sql: String, _ params: any SQLBindable...) async throws -> [Row] {
        let values = params.map(\.sqlValue)
        return try await services.database.read { db in try db.query(sql, values) }
    }

    /// The number of rows in `table`.
    func count(_ table: String) async throws -> Int {
        try await query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n") ?? 0
    }
}

extension TestClient {
    /// The CSRF token from the hidden field of the last form page fetched at `path`.
    func csrfToken(from path: String = "/login") async -> String {
        let page = await get(path)
        return TestClient.hiddenField("csrf_token", in: page.text) ?? ""
    }

    /// The value of a hidden input in `html`.
    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let nameRange = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[nameRange.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    /// Signs up through the form and returns the final response (after redirects).
    @discardableResult
    func signUp(_ username: String, email: String? = nil, password: String = "correct horse battery",
                skipVerification: Bool = true) async -> TestResponse {
        let token = await csrfToken(from: "/signup")
        let response = await post("/signup", form: [
            ("csrf_token", token), ("username", username), ("email", email ?? "\(username.lowercased())@example.com"),
            ("password", password), ("password_confirmation", password),
        ])
        // With mail on, sign-up waits on "check your email"; tests about other things go on
        // without the code (ACCOUNT_EMAIL_VERIFICATION=optional, the default).
        guard response.headers["Location"] == "/signup/verify", skipVerification else { return await follow(response) }
        let skipToken = await csrfToken(from: "/signup/verify")
        return await follow(await post("/signup/verify/skip", form: [("csrf_token", skipToken)]))
    }

    /// Signs in through the form; returns the immediate response (a redirect on success).
    @discardableResult
    func signIn(_ username: String, password: String = "correct horse battery", next: String? = nil, remember: Bool = false) async -> TestResponse {
        let token = await csrfToken(from: "/login")
        var form = [("csrf_token", token), ("username", username), ("password", password)]
        if let next { form.append(("next", next)) }
        if remember { form.append(("remember", "on")) }
        return await post("/login", form: form)
    }

    /// Signs out through the navigation bar's form.
    @discardableResult
    func signOut() async -> TestResponse {
        let token = await csrfToken(from: "/account")
        return await post("/logout", form: [("csrf_token", token)])
    }
}
