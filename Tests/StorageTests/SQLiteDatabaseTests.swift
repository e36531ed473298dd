import Foundation
import Storage
import Testing

@Suite struct SQLiteDatabaseTests {
    @Test func createsMissingParentDirectories() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/nested/deeper/site.sqlite3"
            let db = try SQLiteDatabase(path: path)
            defer { db.close() }
            _ = try await db.write { try $0.execute("CREATE TABLE t (x BIGINT)") }
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func fileDatabaseUsesWALAndEnforcesForeignKeys() async throws {
        try await withTemporaryDirectory { directory in
            let db = try SQLiteDatabase(path: directory + "/site.sqlite3")
            defer { db.close() }
            let (mode, keys) = try await db.read { connection in
                (try connection.queryOne("PRAGMA journal_mode")?.string(0),
                 try connection.queryOne("PRAGMA foreign_keys")?.int(0))
            }
            #expect(mode == "wal")
            #expect(keys == 1)
        }
    }

    @Test func dataSurvivesReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/site.sqlite3"
            let first = try SQLiteDatabase(path: path)
            try await first.write { try $0.executeScript("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('kept')") }
            first.close()
            let second = try SQLiteDatabase(path: path)
            defer { second.close() }
            let value = try await second.read { try $0.queryOne("SELECT x FROM t")?.string("x") }
            #expect(value == "kept")
        }
    }

    @Test func unopenablePathThrowsUnavailable() {
        #expect {
            _ = try SQLiteDatabase(path: "/proc/definitely/not/here.db")
        } throws: { error in
            if case DatabaseError.unavailable = error { return true }
            return false
        }
    }

    @Test func insertWithoutReturningThrowsNoReturnedID() async throws {
        let db = try SQLiteDatabase(path: ":memory:")
        defer { db.close() }
        let error = await databaseError {
            _ = try await db.write { connection in
                try connection.executeScript("CREATE TABLE t (x BIGINT)")
                return try connection.insert("INSERT INTO t (x) VALUES (?)", 1)
            }
        }
        #expect(error == .noReturnedID)
    }
}
