import Foundation
import Storage
import Synchronization
import Testing

/// SQLite reads run on the caller's thread while they stay short, and move to a worker when they
/// do not (issue 17). Whatever path a read takes, its caller gets the whole answer.
@Suite struct InlineReadTests {
    /// Three million rows of a recursive CTE: far past the inline budget on any machine.
    static let longCount = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT COUNT(*) AS n FROM c"

    @Test func aLongReadIsInterruptedAndRunAgainOnAWorker() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/inline.sqlite3")
            defer { db.close() }
            let runs = Atomic<Int>(0)
            let n = try await db.read { connection in
                runs.add(1, ordering: .relaxed)
                return try connection.queryOne(Self.longCount)?.int("n")
            }
            #expect(n == 3_000_000)
            // Once on this thread, cut short; once more on a worker, to the end.
            #expect(runs.load(ordering: .relaxed) == 2)
        }
    }

    /// A body that swallows the interruption (`try?`) would return a made-up answer: it is
    /// thrown away and the read runs again.
    @Test func aBodyThatSwallowsTheInterruptionStillGetsTheWholeAnswer() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/inline.sqlite3")
            defer { db.close() }
            let n = try await db.read { connection in
                (try? connection.queryOne(Self.longCount)?.int("n")) ?? -1
            }
            #expect(n == 3_000_000)
        }
    }

    /// Many short queries add up: the budget is checked between them too, and the read still
    /// finishes (on a worker) with every answer.
    @Test func manyShortQueriesFinishWhereverTheyRun() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/inline.sqlite3")
            defer { db.close() }
            try await db.write { try $0.executeScript("CREATE TABLE items (n INTEGER PRIMARY KEY)") }
            try await db.write { connection in
                for n in 0..<200 { _ = try connection.execute("INSERT INTO items (n) VALUES (?)", n) }
            }
            let total = try await db.read { connection in
                var sum = 0
                for _ in 0..<50 {
                    for n in 0..<200 { sum += try connection.queryOne("SELECT n FROM items WHERE n = ?", n)?.int("n") ?? 0 }
                }
                return sum
            }
            #expect(total == 50 * (199 * 200 / 2))
        }
    }

    /// Reads and writes from many tasks at once, on a file database and on an in-memory one
    /// (where the reader is the writer): every read sees a committed state, none is lost.
    @Test(arguments: [false, true]) func concurrentReadsAndWritesAgree(inMemory: Bool) async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: inMemory ? ":memory:" : directory + "/inline.sqlite3")
            defer { db.close() }
            try await db.write { try $0.executeScript("CREATE TABLE pairs (a INTEGER NOT NULL, b INTEGER NOT NULL)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<100 {
                    group.addTask {
                        try await db.write { connection in
                            _ = try connection.execute("INSERT INTO pairs (a, b) VALUES (?, ?)", n, -n)
                        }
                    }
                    group.addTask {
                        let sum = try await db.read { try $0.queryOne("SELECT COALESCE(SUM(a + b), 0) AS s FROM pairs")?.int("s") }
                        #expect(sum == 0)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM pairs")?.int("n") } == 100)
        }
    }
}
