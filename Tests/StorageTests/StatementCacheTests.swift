import Storage
import Testing

@Suite struct StatementCacheTests {
    @Test(arguments: Driver.available)
    func reusedStatementDoesNotLeakBindings(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await db.write { connection in
                try connection.executeScript("CREATE TABLE pairs (\(Schema.id(connection.dialect)), a TEXT, b BIGINT)")
                let sql = "INSERT INTO pairs (a, b) VALUES (?, ?) RETURNING id"
                _ = try connection.insert(sql, "first", 1)
                _ = try connection.insert(sql, String?.none, Int?.none)
                _ = try connection.insert(sql, "third", 3)
            }
            let rows = try await db.read { try $0.query("SELECT a, b FROM pairs ORDER BY id") }
            #expect(rows.map(\.values) == [
                [.text("first"), .integer(1)], [.null, .null], [.text("third"), .integer(3)],
            ])
            let lookup = "SELECT a FROM pairs WHERE b = ?"
            let (one, three, none) = try await db.read { connection in
                (try connection.queryOne(lookup, 1)?.optionalString("a"),
                 try connection.queryOne(lookup, 3)?.optionalString("a"),
                 try connection.queryOne(lookup, 99))
            }
            #expect(one == "first")
            #expect(three == "third")
            #expect(none == nil)
        }
    }

    @Test(arguments: Driver.available)
    func statementStaysUsableAfterItFailed(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await db.write { try $0.executeScript("CREATE TABLE names (name TEXT PRIMARY KEY)") }
            let sql = "INSERT INTO names (name) VALUES (?)"
            _ = try await db.write { try $0.execute(sql, "ada") }
            let error = await databaseError { _ = try await db.write { try $0.execute(sql, "ada") } }
            #expect(error?.isUniqueViolation == true)
            _ = try await db.write { try $0.execute(sql, "grace") }
            let count = try await db.read { try $0.query("SELECT name FROM names").count }
            #expect(count == 2)
        }
    }

    @Test(arguments: Driver.available)
    func wrongParameterCountIsRefused(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            let error = await databaseError { _ = try await db.read { try $0.query("SELECT ? AS a, ? AS b", 1) } }
            #expect(error == .parameterCount(expected: 2, given: 1))
        }
    }

    @Test(arguments: Driver.available)
    func severalStatementsInOneCallAreRefused(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await db.write { try $0.executeScript("CREATE TABLE t (x BIGINT)") }
            let error = await databaseError {
                _ = try await db.write { try $0.execute("INSERT INTO t (x) VALUES (1); DELETE FROM t") }
            }
            #expect(error != nil)
            let count = try await db.read { try $0.query("SELECT x FROM t").count }
            #expect(count == 0)
        }
    }
}
