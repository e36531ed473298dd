import Dispatch
import Foundation
import Runtime
import Storage
import Testing

@Suite struct ConcurrencyTests {
    private func makeCounter(_ db: any Database) async throws {
        try await db.write { connection in
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
                INSERT INTO counter (name, value) VALUES ('hits', 0) ON CONFLICT DO NOTHING;
                CREATE TABLE IF NOT EXISTS items (\(Schema.id(connection.dialect)), n BIGINT NOT NULL);
                """)
        }
    }

    /// Read-then-write: loses updates unless each transaction holds the write lock from its start.
    private func increment(_ db: any Database) async throws {
        try await db.write { connection in
            let value = try connection.queryOne("SELECT value FROM counter WHERE name = 'hits'")?.int("value") ?? 0
            _ = try connection.execute("UPDATE counter SET value = ? WHERE name = 'hits'", value + 1)
        }
    }

    @Test(arguments: Driver.available)
    func manyConcurrentWritesAllLand(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeCounter(db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        _ = try await db.write { try $0.insert("INSERT INTO items (n) VALUES (?) RETURNING id", n) }
                    }
                }
                try await group.waitForAll()
            }
            let (rows, distinct) = try await db.read { connection in
                (try connection.queryOne("SELECT COUNT(*) AS n FROM items")?.int("n"),
                 try connection.queryOne("SELECT COUNT(DISTINCT n) AS n FROM items")?.int("n"))
            }
            #expect(rows == 200)
            #expect(distinct == 200)
        }
    }

    @Test func twoHandlesOnOneFileNeverLoseAnUpdate() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/shared.sqlite3"
            let first = try SQLiteDatabase(path: path)
            let second = try SQLiteDatabase(path: path)
            defer { first.close(); second.close() }
            try await makeCounter(first)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<80 {
                    let db = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await increment(db) }
                }
                try await group.waitForAll()
            }
            let value = try await second.read { try $0.queryOne("SELECT value FROM counter")?.int("value") }
            #expect(value == 80)
        }
    }

    @Test func readsSeeCommittedDataWhileAWriteIsOpen() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/wal.sqlite3")
            defer { db.close() }
            try await makeCounter(db)
            _ = try await db.write { try $0.execute("INSERT INTO items (n) VALUES (1)") }

            let inserted = DispatchSemaphore(value: 0)
            let proceed = DispatchSemaphore(value: 0)
            let writer = Task {
                try await db.write { connection in
                    _ = try connection.execute("INSERT INTO items (n) VALUES (2)")
                    inserted.signal()
                    proceed.wait()
                }
            }
            try await blocking { inserted.wait() }
            // The write transaction is still open: a reader must neither block nor see its row.
            let during = try await db.read { try $0.query("SELECT n FROM items").count }
            proceed.signal()
            try await writer.value
            let after = try await db.read { try $0.query("SELECT n FROM items").count }
            #expect(during == 1)
            #expect(after == 2)
        }
    }
}
