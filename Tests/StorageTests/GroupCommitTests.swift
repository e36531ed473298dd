import Foundation
import Storage
import Testing

/// SQLite's writer runs queued writes together in one transaction, each in a savepoint
/// (issue 17). Each write must still mean what it meant alone.
@Suite struct GroupCommitTests {
    struct Refused: Error {}

    private func makeTable(_ db: any Database) async throws {
        try await db.write { try $0.executeScript("CREATE TABLE items (n INTEGER PRIMARY KEY, note TEXT NOT NULL)") }
    }

    private func count(_ db: any Database) async throws -> Int {
        try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM items")?.int("n") ?? -1 }
    }

    /// A third of the writes insert a row and then throw, all at once: only those rows are gone,
    /// each thrower hears its own error, and every other write commits.
    @Test func aWriteThatThrowsTakesOnlyItsOwnRowsBack() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/batch.sqlite3")
            defer { db.close() }
            try await makeTable(db)
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for n in 0..<300 {
                    group.addTask {
                        do {
                            try await db.write { connection in
                                _ = try connection.execute("INSERT INTO items (n, note) VALUES (?, 'kept')", n)
                                if n % 3 == 0 { throw Refused() }
                            }
                            return (n, true)
                        } catch {
                            return (n, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes.count == 300)
            #expect(outcomes.allSatisfy { n, committed in committed == (n % 3 != 0) })
            #expect(try await count(db) == 200)
            let thrown = try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM items WHERE n % 3 = 0")?.int("n") }
            #expect(thrown == 0)
        }
    }

    /// A failed statement inside a write (a duplicate key, caught by the body) leaves the
    /// write, and the others sharing its transaction, going.
    @Test func aCaughtStatementErrorLeavesTheBatchGoing() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/batch.sqlite3")
            defer { db.close() }
            try await makeTable(db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<100 {
                    group.addTask {
                        try await db.write { connection in
                            _ = try connection.execute("INSERT INTO items (n, note) VALUES (?, 'first')", n)
                            do {
                                _ = try connection.execute("INSERT INTO items (n, note) VALUES (?, 'again')", n)
                            } catch {}
                            _ = try connection.execute("UPDATE items SET note = 'second' WHERE n = ?", n)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let notes = try await db.read { try $0.query("SELECT DISTINCT note FROM items").map { try $0.string("note") } }
            #expect(notes == ["second"])
            #expect(try await count(db) == 100)
        }
    }

    /// Writes queued behind one another see each other's rows, as one after another would.
    @Test func aWriteSeesTheWritesQueuedBeforeIt() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/batch.sqlite3")
            defer { db.close() }
            try await makeTable(db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await db.write { connection in
                            let next = try connection.queryOne("SELECT COALESCE(MAX(n), 0) + 1 AS n FROM items")?.int("n") ?? 0
                            _ = try connection.execute("INSERT INTO items (n, note) VALUES (?, 'next')", next)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let (rows, top) = try await db.read { connection in
                (try connection.queryOne("SELECT COUNT(*) AS n FROM items")?.int("n"), try connection.queryOne("SELECT MAX(n) AS n FROM items")?.int("n"))
            }
            #expect(rows == 100)
            #expect(top == 100)
        }
    }

    /// Writes still queued when the database closes are answered, not left hanging.
    @Test func closingAnswersEveryQueuedWrite() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/batch.sqlite3")
            try await makeTable(db)
            let answered = await withTaskGroup(of: Bool.self) { group in
                for n in 0..<200 {
                    group.addTask { (try? await db.write { try $0.execute("INSERT INTO items (n, note) VALUES (?, 'x')", n) }) != nil }
                }
                group.addTask { db.close(); return false }
                return await group.reduce(0) { count, _ in count + 1 }
            }
            #expect(answered == 201)
        }
    }
}
