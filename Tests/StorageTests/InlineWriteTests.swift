import Foundation
import Storage
import Synchronization
import Testing

/// A SQLite write runs on the caller's thread when nobody else is writing, and is rolled back
/// and queued when it cannot finish there (issue 17). Either way it commits exactly once.
@Suite struct InlineWriteTests {
    private struct Refused: Error {}

    private static func open(_ directory: String) async throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: directory + "/inline-write.sqlite3")
        try await db.write { try $0.executeScript("CREATE TABLE rows (n INTEGER NOT NULL)") }
        return db
    }

    private static func rows(_ db: SQLiteDatabase) async throws -> [Int] {
        try await db.read { try $0.query("SELECT n FROM rows ORDER BY n").map { try $0.int("n") } }
    }

    @Test func aWriteThatOutgrowsTheBudgetIsRolledBackAndRunAgainOnAWorker() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Self.open(directory)
            defer { db.close() }
            let runs = Atomic<Int>(0)
            try await db.write { connection in
                runs.add(1, ordering: .relaxed)
                _ = try connection.execute("INSERT INTO rows (n) VALUES (1)")
                let n = try connection.queryOne(InlineReadTests.longCount)?.int("n") ?? -1
                _ = try connection.execute("INSERT INTO rows (n) VALUES (?)", n)
            }
            // Once here, cut short and undone; once more on a worker, to the end.
            #expect(runs.load(ordering: .relaxed) == 2)
            #expect(try await Self.rows(db) == [1, 3_000_000])
        }
    }

    /// A body that swallows the interruption would commit a made-up value: it is rolled back
    /// instead, and the write runs again.
    @Test func aBodyThatSwallowsTheInterruptionCommitsOnlyTheWholeWrite() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Self.open(directory)
            defer { db.close() }
            try await db.write { connection in
                let n = (try? connection.queryOne(InlineReadTests.longCount)?.int("n")) ?? -1
                _ = try connection.execute("INSERT INTO rows (n) VALUES (?)", n)
            }
            #expect(try await Self.rows(db) == [3_000_000])
        }
    }

    @Test func aThrowingBodyLeavesNothingBehind() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Self.open(directory)
            defer { db.close() }
            await #expect(throws: Refused.self) {
                try await db.write { connection in
                    _ = try connection.execute("INSERT INTO rows (n) VALUES (7)")
                    throw Refused()
                }
            }
            try await db.write { _ = try $0.execute("INSERT INTO rows (n) VALUES (8)") }
            #expect(try await Self.rows(db) == [8])
        }
    }

    /// Another process (here: another database object on the same file) holds the write lock:
    /// the write does not wait on the caller's thread but queues, and commits once the lock is free.
    @Test func aWriterLockedElsewhereQueuesAndCommitsAfterwards() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Self.open(directory)
            defer { db.close() }
            let other = try SQLiteDatabase(path: directory + "/inline-write.sqlite3")
            defer { other.close() }
            let holding = Atomic<Bool>(false)
            let holder = Task {
                try await other.write { connection in
                    _ = try connection.execute("INSERT INTO rows (n) VALUES (1)")
                    holding.store(true, ordering: .relaxed)
                    Thread.sleep(forTimeInterval: 0.3)
                }
            }
            while !holding.load(ordering: .relaxed) { try await Task.sleep(nanoseconds: 1_000_000) }
            try await db.write { _ = try $0.execute("INSERT INTO rows (n) VALUES (2)") }
            try await holder.value
            #expect(try await Self.rows(db) == [1, 2])
        }
    }

    @Test func concurrentWritesEachCommitOnce() async throws {
        try await withTemporaryDirectory { directory in
            let db = try await Self.open(directory)
            defer { db.close() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask { try await db.write { _ = try $0.execute("INSERT INTO rows (n) VALUES (?)", n) } }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.rows(db) == Array(0..<200))
        }
    }
}
