import Foundation
import Storage
import Testing

@Suite(.enabled(if: Driver.postgresURL != nil, "set TEST_POSTGRES_URL to run PostgreSQL tests"))
struct PostgresDriverTests {
    @Test func resultsAreTypedByColumnType() async throws {
        try await withPostgresSchema { db in
            let row = try #require(try await db.read { connection in
                try connection.queryOne("""
                    SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.5::float4 AS d, 2.5::float8 AS e,
                           true AS f, false AS g, '\\x00ff10'::bytea AS h, 'v'::varchar AS i, 'x'::text AS j,
                           12345678901234::numeric AS k, 1.25::numeric AS l, NULL::int AS m, ''::bytea AS n
                    """)
            })
            #expect(row.values == [
                .integer(1), .integer(2), .integer(3), .real(1.5), .real(2.5), .integer(1), .integer(0),
                .blob([0, 255, 16]), .text("v"), .text("x"), .integer(12_345_678_901_234), .real(1.25), .null,
                .blob([]),
            ])
        }
    }

    @Test func sumOfBigintsReadsAsAnInteger() async throws {
        try await withPostgresSchema { db in
            let total = try await db.write { connection in
                try connection.executeScript("CREATE TABLE n (x BIGINT); INSERT INTO n VALUES (2), (40)")
                return try connection.queryOne("SELECT SUM(x) AS total FROM n")?.int("total")
            }
            #expect(total == 42)
        }
    }

    @Test func reconnectsAfterTheServerDropsAPooledConnection() async throws {
        try await withPostgresSchema(poolSize: 1) { db in
            let pidQuery = "SELECT pg_backend_pid() AS pid"
            let before = try await db.read { try $0.queryOne(pidQuery)?.int("pid") }
            let admin = try openDatabase(url: try #require(Driver.postgresURL))
            defer { admin.close() }
            _ = try await admin.write { try $0.query("SELECT pg_terminate_backend(?)", before) }
            while try await admin.read({ try $0.query("SELECT 1 FROM pg_stat_activity WHERE pid = ?", before) }).count > 0 {
                await Task.yield()
            }
            let after = try await db.read { try $0.queryOne(pidQuery)?.int("pid") }
            #expect(after != nil)
            #expect(after != before)
        }
    }

    @Test func poolNeverOpensMoreConnectionsThanItsSize() async throws {
        try await withPostgresSchema(poolSize: 2) { db in
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await db.read { try $0.queryOne("SELECT pg_backend_pid() AS pid, pg_sleep(0.01)")?.int("pid") ?? 0 }
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(pids.count <= 2)
            #expect(!pids.contains(0))
        }
    }

    @Test func sslModeIsPassedToLibpq() async throws {
        // The throwaway test server has no TLS, so insisting on it must fail to connect.
        let base = try #require(Driver.postgresURL).replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        let url = base.contains("sslmode=") ? base : base + (base.contains("?") ? "&" : "?") + "sslmode=require"
        let db = try openDatabase(url: url)
        defer { db.close() }
        let error = await databaseError { _ = try await db.read { try $0.query("SELECT 1") } }
        guard case .unavailable(let message) = error else {
            Issue.record("expected unavailable, got \(String(describing: error))")
            return
        }
        #expect(message.contains("SSL"))
    }

    @Test func swallowedErrorInsideWriteFailsTheCommit() async throws {
        try await withPostgresSchema { db in
            try await db.write { try $0.executeScript("CREATE TABLE names (name TEXT PRIMARY KEY)") }
            let error = await databaseError {
                try await db.write { connection in
                    _ = try connection.execute("INSERT INTO names VALUES (?)", "ada")
                    _ = try? connection.execute("INSERT INTO names VALUES (?)", "ada")
                }
            }
            #expect(error == .postgres(sqlState: "25P02", message: "transaction was rolled back because a statement in it failed"))
            let count = try await db.read { try $0.query("SELECT name FROM names").count }
            #expect(count == 0)
        }
    }

    @Test func directoryMigrationsUsePostgresVariants() async throws {
        try await withTemporaryDirectory { directory in
            try "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"
                .write(toFile: directory + "/001_users.sqlite.sql", atomically: true, encoding: .utf8)
            try "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name TEXT)"
                .write(toFile: directory + "/001_users.postgres.sql", atomically: true, encoding: .utf8)
            try await withPostgresSchema { db in
                try await Migrator(directory: directory).migrate(db)
                let ids = try await db.write { connection in
                    [try connection.insert("INSERT INTO users (name) VALUES (?) RETURNING id", "ada"),
                     try connection.insert("INSERT INTO users (name) VALUES (?) RETURNING id", "grace")]
                }
                #expect(ids == [1, 2])
            }
        }
    }
}
