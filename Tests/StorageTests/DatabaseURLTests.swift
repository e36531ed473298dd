import Storage
import Testing

@Suite struct DatabaseURLTests {
    @Test(arguments: [
        ("sqlite:db/site.sqlite3", "db/site.sqlite3"),
        ("sqlite:///var/lib/latchkey/site.db", "/var/lib/latchkey/site.db"),
        ("sqlite::memory:", ":memory:"),
        ("SQLite:data.db", "data.db"),
        ("db/site.sqlite3", "db/site.sqlite3"),
        ("/abs/site.db", "/abs/site.db"),
        (":memory:", ":memory:"),
    ])
    func sqliteFormsGiveAPath(url: String, path: String) throws {
        #expect(try DatabaseURL(parsing: url) == .sqlite(path: path))
    }

    @Test func postgresURLGivesEveryPart() throws {
        let url = "postgres://ada:s%40cr%3At@db.example.com:6543/latchkey?sslmode=require&pool=3&connect_timeout=5"
        guard case .postgres(let config) = try DatabaseURL(parsing: url) else {
            Issue.record("expected postgres")
            return
        }
        #expect(config.user == "ada")
        #expect(config.password == "s@cr:t")
        #expect(config.host == "db.example.com")
        #expect(config.port == 6543)
        #expect(config.database == "latchkey")
        #expect(config.sslMode == .require)
        #expect(config.poolSize == 3)
        #expect(config.parameters == ["connect_timeout": "5"])
        #expect(!config.description.contains("s@cr:t"))
    }

    @Test func postgresqlSchemeAndDefaultsAreAccepted() throws {
        guard case .postgres(let config) = try DatabaseURL(parsing: "postgresql://localhost/site") else {
            Issue.record("expected postgres")
            return
        }
        #expect(config.host == "localhost")
        #expect(config.port == nil)
        #expect(config.user == nil)
        #expect(config.sslMode == nil)
        #expect(config.poolSize == 10)
        #expect(config.database == "site")
    }

    @Test(arguments: [
        ("", "empty"),
        ("   ", "empty"),
        ("mysql://root@localhost/db", "mysql"),
        ("sqlite:", "no path"),
        ("sqlite://relative/path.db", "absolute path"),
        ("postgres:site", "postgres://"),
        ("postgres://host:99999/db", "port"),
        ("postgres://host/db?sslmode=sometimes", "sslmode"),
        ("postgres://host/db?pool=0", "pool"),
        ("postgres://host/db?pool=many", "pool"),
        ("postgres://host/a/b", "'/'"),
        ("postgres://host/db?sslmode", "no value"),
        ("postgres://host/db?password=x", "in the URL itself"),
        ("postgres://ada:p/ss@host/db", "not a valid URL"),
        ("postgres://host:abc/db", "not a valid URL"),
    ])
    func malformedURLThrowsBadURLNamingTheProblem(url: String, problem: String) {
        do {
            _ = try DatabaseURL(parsing: url)
            Issue.record("\(url) was accepted")
        } catch {
            guard case .badURL(let message) = error else {
                Issue.record("expected badURL, got \(error)")
                return
            }
            #expect(message.contains(problem), "\(message)")
        }
    }

    @Test(arguments: [
        ("postgres://[::1]:5432/db", "::1"),
        ("postgres://%2Ftmp/db", "/tmp"),
        ("postgres:///db", nil),
    ] as [(String, String?)])
    func hostFormsAreUnwrappedForLibpq(url: String, host: String?) throws {
        guard case .postgres(let config) = try DatabaseURL(parsing: url) else {
            Issue.record("expected postgres")
            return
        }
        #expect(config.host == host)
    }

    @Test func badURLNeverEchoesThePassword() {
        do {
            _ = try DatabaseURL(parsing: "postgres://ada:hunter2@host:0/db")
            Issue.record("port 0 was accepted")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func openDatabaseOpensSQLiteFromAURL() async throws {
        let db = try openDatabase(url: "sqlite::memory:")
        defer { db.close() }
        #expect(db.dialect == .sqlite)
        let one = try await db.read { try $0.queryOne("SELECT 1 AS one")?.int("one") }
        #expect(one == 1)
    }
}
