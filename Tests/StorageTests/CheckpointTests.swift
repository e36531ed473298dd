import Foundation
import Storage
import Synchronization
import Testing

/// Checkpoints run on a worker once the WAL passes its threshold, not inside a commit, and the
/// WAL still starts over while writes never stop (issue 17): checkpoints that only ran beside
/// the writer never caught up with it, and the log grew for as long as the load lasted.
@Suite struct CheckpointTests {
    final class Flag: Sendable {
        private let value = Atomic<Bool>(true)
        var isSet: Bool { value.load(ordering: .relaxed) }
        func clear() { value.store(false, ordering: .relaxed) }
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The database file itself grows while writes go on, and the data is all there.
    @Test func aGrowingWALIsCopiedIntoTheDatabaseFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/checkpoint.sqlite3"
            let db = try SQLiteDatabase(path: path, checkpointPages: 1000)
            defer { db.close() }
            try await db.write { try $0.executeScript("CREATE TABLE blobs (n INTEGER PRIMARY KEY, body TEXT NOT NULL)") }
            let before = Self.fileSize(path)
            // About 6 MB in 60 commits: 1,500 pages of WAL, past the threshold more than once.
            for batch in 0..<60 {
                try await db.write { connection in
                    for n in 0..<25 {
                        _ = try connection.execute("INSERT INTO blobs (n, body) VALUES (?, ?)", batch * 25 + n, String(repeating: "x", count: 4000))
                    }
                }
            }
            // The checkpoint runs on a worker: wait for its effect (not for a time).
            var grown = false
            for _ in 0..<500 where !grown {
                grown = Self.fileSize(path) > before + 1_000_000
                if !grown { try await Task.sleep(nanoseconds: 20_000_000) }
            }
            #expect(grown, "the database file never received the WAL's pages")
            #expect(try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM blobs")?.int("n") } == 1500)
        }
    }

    /// Sixteen writers append a page each, 2,400 times in all, while readers keep reading (or
    /// none do): the log (checkpointed every 50 pages here) stays a fraction of the 2,400 pages
    /// written. Readers hold a checkpoint back; without them it copies everything it set out to
    /// copy, while the writer goes on appending, and that case grew the log just the same.
    @Test(arguments: [0, 2])
    func theLogStartsOverUnderSteadyWrites(readers: Int) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/wal.sqlite3"
            let db = try SQLiteDatabase(path: path, checkpointPages: 50)
            defer { db.close() }
            try await db.write { try $0.executeScript("CREATE TABLE pages (n INTEGER PRIMARY KEY, body BLOB NOT NULL)") }
            let writing = Flag()
            let pageBytes = 4120  // one WAL frame: a 24-byte header and a 4 KiB page
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<readers {
                    group.addTask {
                        while writing.isSet {
                            _ = try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM pages")?.int("n") }
                            // A read may run inline, never suspending: without this the readers
                            // would keep every cooperative thread and no writer would run.
                            await Task.yield()
                        }
                    }
                }
                // Whatever happens to the writers, the readers stop.
                defer { writing.clear() }
                try await withThrowingTaskGroup(of: Void.self) { writers in
                    for writer in 0..<16 {
                        writers.addTask {
                            for n in 0..<150 {
                                try await db.write { connection in
                                    _ = try connection.execute("INSERT INTO pages (n, body) VALUES (?, randomblob(3000))", writer * 1000 + n)
                                }
                            }
                        }
                    }
                    try await writers.waitForAll()
                }
                writing.clear()
                try await group.waitForAll()
            }
            let count = try await db.read { try $0.queryOne("SELECT COUNT(*) AS n FROM pages")?.int("n") }
            #expect(count == 2400)
            // The file keeps its largest size (up to `journal_size_limit`), so this is the most
            // the log ever held.
            let largest = Self.fileSize(path + "-wal")
            #expect(largest > 0)
            #expect(largest < 2400 * pageBytes / 3, "the WAL reached \(largest / pageBytes) frames")
        }
    }
}
