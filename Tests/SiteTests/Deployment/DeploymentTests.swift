import Foundation
import Provider
import Site
import Storage
import Testing
import Web
import WebTesting

/// What a deployer meets: bad database URLs, a database that is not up yet or goes away, and
/// several instances sharing one PostgreSQL database.
@Suite struct DeploymentTests {
    static let baseEnvironment: [String: String] = [
        "APP_ENV": "test",
        "TEMPLATES_DIR": TestSite.root + "/Templates",
        "PUBLIC_DIR": TestSite.root + "/Public",
        "MIGRATIONS_DIR": TestSite.root + "/db/migrations",
        "SECRET_KEY": "deployment-test-secret-0123456789abcdef",
        "PASSWORD_HASH_COST": "10",
    ]

    @Test(arguments: ["mysql://user@host/db", "sqlite://relative/path", "postgres://host:notaport/db", "redis://localhost:6379", "postgresql://host:70000/db"])
    func malformedDatabaseURLIsAClearStartupError(url: String) async throws {
        var env = Self.baseEnvironment
        env["DATABASE_URL"] = url
        let configuration = try SiteConfiguration(environment: env)
        do {
            _ = try await SiteServices.open(configuration, logger: Logger(sink: .capturing()))
            Issue.record("a malformed DATABASE_URL was accepted")
        } catch let error as DatabaseError {
            guard case .badURL = error else { Issue.record("expected badURL, got \(error)"); return }
            #expect("\(error)".isEmpty == false)
        }
    }

    @Test func unreachablePostgresIsRetriedWithALogLineThenGivesUp() async throws {
        var env = Self.baseEnvironment
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/latchkey?sslmode=disable&connect_timeout=2"
        env["DATABASE_CONNECT_ATTEMPTS"] = "2"
        let logs = LogSink.capturing()
        let configuration = try SiteConfiguration(environment: env)
        await #expect(throws: DatabaseError.self) {
            _ = try await SiteServices.open(configuration, logger: Logger(sink: logs))
        }
        #expect(logs.lines.contains { $0.contains("database unreachable (attempt 1 of 2)") })
    }

    @Test func aDatabaseThatGoesAwayGetsA503PageNotA500() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        await client.signUp("ada")
        site.services.database.close()
        let page = await client.get("/account")
        #expect(page.status.code == 503)
        #expect(page.headers["Retry-After"] != nil)
        #expect(page.text.contains("temporarily unavailable"))
        #expect(await client.get("/healthz").status.code == 200, "the health check needs no database")
    }

    // MARK: Two processes, one PostgreSQL database

    static let binary: String? = {
        let bundle = URL(fileURLWithPath: Bundle.main.bundlePath).deletingLastPathComponent()
        for candidate in [bundle.appendingPathComponent("latchkey").path, TestSite.root + "/.build/debug/latchkey"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }()
    static let postgres = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// A free port on 127.0.0.1 (bound, read, released).
    static func freePort() throws -> Int {
        let probe = try LiveServer.start(Application(responder: ClosureResponder { _, _ in Response() }, logger: Logger(sink: .capturing())))
        let port = probe.port
        probe.server.shutdown()
        return port
    }

    /// Starts `latchkey serve` and waits until it answers.
    static func startSite(port: Int, databaseURL: String, directory: String) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(binary))
        process.arguments = ["serve"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = baseEnvironment
        env["PORT"] = String(port)
        env["DATABASE_URL"] = databaseURL
        env["EVENT_LOOPS"] = "1"
        // No mail: sign-up signs in at once instead of waiting on "check your email".
        env["EMAIL_URL"] = "off"
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try Subprocess.start(process)
        let client = CurlHTTPClient(connectTimeout: 1, totalTimeout: 2)
        for _ in 0..<100 {
            if (try? await client.send(.get("http://127.0.0.1:\(port)/healthz")))?.status == 200 { return process }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        process.terminate()
        throw DatabaseError.unavailable("site on port \(port) did not start")
    }

    @Test(.enabled(if: binary != nil && postgres != nil, "needs the latchkey binary and TEST_DATABASE_URL"))
    func twoSiteProcessesShareSessionsThroughOnePostgresDatabase() async throws {
        let databaseURL = try await TestSite.freshSchema(in: try #require(Self.postgres))
        let directory = try Scratch.directory("two")
        let (portA, portB) = (try Self.freePort(), try Self.freePort())
        let first = try await Self.startSite(port: portA, databaseURL: databaseURL, directory: directory)
        defer { first.terminate() }
        let second = try await Self.startSite(port: portB, databaseURL: databaseURL, directory: directory)
        defer { second.terminate() }

        // Sign up (and so in) on the first instance.
        let http = CurlHTTPClient()
        let a = "http://127.0.0.1:\(portA)", b = "http://127.0.0.1:\(portB)"
        func cookie(_ response: ClientResponse, _ name: String = "latchkey_session") -> String? {
            response.headers.values(for: "Set-Cookie").first { $0.hasPrefix(name + "=") }
                .map { String($0.split(separator: ";")[0]) }
        }
        let form = try await http.send(.get(a + "/signup"))
        let anonymous = try #require(cookie(form, "latchkey_session_csrf"), "a stranger's form carries its CSRF cookie, not a session")
        let token = try #require(TestClient.hiddenField("csrf_token", in: form.text))
        let password = "correct horse battery"
        let signedUp = try await http.send(.post(a + "/signup", form: [
            ("csrf_token", token), ("username", "twin"), ("email", "twin@example.com"),
            ("password", password), ("password_confirmation", password),
        ], headers: ["Cookie": anonymous]))
        #expect(signedUp.status == 303)
        let session = try #require(cookie(signedUp))

        // The second instance knows the session.
        let onB = try await http.send(.get(b + "/account", headers: ["Cookie": session]))
        #expect(onB.status == 200)
        #expect(onB.text.contains("twin"))

        // Signing out on the second ends it on the first.
        let csrf = try #require(TestClient.hiddenField("csrf_token", in: onB.text))
        let out = try await http.send(.post(b + "/logout", form: [("csrf_token", csrf)], headers: ["Cookie": session]))
        #expect(out.status == 303)
        let onA = try await http.send(.get(a + "/account", headers: ["Cookie": session]))
        #expect(onA.status == 303)
        #expect(onA.headers["Location"]?.hasPrefix("/login") == true)
    }
}

extension DeploymentTests {
    /// Issue 13: the site and the provider on one PostgreSQL database, each in its own schema:
    /// both start, migrate, and keep apart people with the same username.
    @Test(.enabled(if: postgres != nil, "needs TEST_DATABASE_URL (PostgreSQL)"))
    func theSiteAndTheProviderShareOnePostgresDatabase() async throws {
        let databaseURL = try await TestSite.freshSchema(in: try #require(Self.postgres))
        let schema = "p_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var site = Self.baseEnvironment
        site["DATABASE_URL"] = databaseURL
        let siteServices = try await SiteServices.open(try SiteConfiguration(environment: site), logger: Logger(sink: .capturing()))
        defer { siteServices.database.close() }
        let provider = try ProviderConfiguration(environment: [
            "APP_ENV": "test", "DATABASE_URL": databaseURL, "PROVIDER_DATABASE_URL": databaseURL, "PROVIDER_DATABASE_SCHEMA": schema,
            "PROVIDER_SECRET_KEY": "shared-db-provider-secret-0123456789abcdef", "MIGRATIONS_DIR": TestSite.root + "/db/migrations",
            "TEMPLATES_DIR": TestSite.root + "/Templates", "PASSWORD_HASH_COST": "8",
        ])
        let providerServices = try await ProviderServices.open(provider, logger: Logger(sink: .capturing()))
        defer { providerServices.close() }
        _ = try await siteServices.accounts.signUp(username: "ada", email: "ada@example.com", password: "correct horse battery",
                                                   confirmation: "correct horse battery", ip: "127.0.0.1")
        _ = try await providerServices.users.create(NewUser(username: "ada", email: "ada@example.com"), password: "correct horse battery")
        let siteUsers = try await siteServices.database.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM users")?.int("n") }
        let providerUsers = try await providerServices.database.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM users")?.int("n") }
        #expect(siteUsers == 1)
        #expect(providerUsers == 1)
    }
}
