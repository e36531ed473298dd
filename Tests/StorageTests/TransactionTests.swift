import Storage
import Testing

@Suite struct TransactionTests {
    private struct Abort: Error {}

    private func makeTable(_ db: any Database) async throws {
        try await db.write { try $0.executeScript("CREATE TABLE notes (\(Schema.id($0.dialect)), body TEXT)") }
    }

    private func count(_ db: any Database) async throws -> Int {
        try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM notes")?.int("n") ?? -1 }
    }

    @Test(arguments: Driver.available)
    func throwingBodyRollsBackEveryStatement(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTable(db)
            await #expect(throws: Abort.self) {
                try await db.write { connection in
                    _ = try connection.execute("INSERT INTO notes (body) VALUES (?)", "one")
                    _ = try connection.execute("INSERT INTO notes (body) VALUES (?)", "two")
                    throw Abort()
                }
            }
            #expect(try await count(db) == 0)
        }
    }

    @Test(arguments: Driver.available)
    func failingStatementRollsBackEarlierOnes(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTable(db)
            let error = await databaseError {
                try await db.write { connection in
                    _ = try connection.execute("INSERT INTO notes (body) VALUES (?)", "kept?")
                    _ = try connection.execute("INSERT INTO no_such_table (body) VALUES (?)", "x")
                }
            }
            #expect(error != nil)
            #expect(try await count(db) == 0)
        }
    }

    @Test(arguments: Driver.available)
    func returningBodyCommitsAndConnectionIsReusable(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTable(db)
            await #expect(throws: Abort.self) { try await db.write { _ in throw Abort() } }
            let changed = try await db.write { try $0.execute("INSERT INTO notes (body) VALUES (?)", "kept") }
            #expect(changed == 1)
            #expect(try await count(db) == 1)
        }
    }

    @Test(arguments: Driver.available)
    func writesInsideReadAreRefused(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTable(db)
            let error = await databaseError {
                _ = try await db.read { try $0.execute("INSERT INTO notes (body) VALUES (?)", "sneaky") }
            }
            #expect(error != nil)
            #expect(try await count(db) == 0)
        }
    }

    @Test(arguments: Driver.available)
    func closedDatabaseThrowsUnavailable(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            db.close()
            let error = await databaseError { _ = try await db.read { try $0.query("SELECT 1") } }
            guard case .unavailable = error else {
                Issue.record("expected unavailable, got \(String(describing: error))")
                return
            }
        }
    }
}
