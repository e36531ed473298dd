import Foundation
import Storage
import Testing

@Suite struct ValueRoundTripTests {
    private func makeTable(_ db: any Database) async throws {
        try await db.write { connection in
            try connection.executeScript("""
                CREATE TABLE things (
                    \(Schema.id(connection.dialect)),
                    i BIGINT, r DOUBLE PRECISION, t TEXT, b \(Schema.blob(connection.dialect)), flag INTEGER
                )
                """)
        }
    }

    @Test(arguments: Driver.available)
    func everyTypeRoundTrips(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTable(db)
            let when = Date(timeIntervalSince1970: 1_700_000_000)
            let id = try await db.write { connection in
                try connection.insert("INSERT INTO things (i, r, t, b, flag) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                      Int64.max, 3.25, "héllo ✓", [0, 1, 254, 255] as [UInt8], true)
            }
            let row = try #require(try await db.read { try $0.queryOne("SELECT * FROM things WHERE id = ?", id) })
            #expect(try row.int64("id") == id)
            #expect(try row.int64("i") == Int64.max)
            #expect(try row.double("r") == 3.25)
            #expect(try row.string("t") == "héllo ✓")
            #expect(try row.blob("b") == [0, 1, 254, 255])
            #expect(try row.bool("flag"))

            try await db.write { connection in
                _ = try connection.execute("UPDATE things SET i = ?, flag = ? WHERE id = ?", when, false, id)
            }
            let updated = try #require(try await db.read { try $0.queryOne("SELECT i, flag FROM things") })
            #expect(try updated.date("i") == when)
            #expect(try updated.bool("flag") == false)
        }
    }

    @Test(arguments: Driver.available)
    func extremesAndEmptyValuesRoundTrip(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTable(db)
            try await db.write { connection in
                _ = try connection.execute("INSERT INTO things (i, r, t, b) VALUES (?, ?, ?, ?)",
                                           Int64.min, -0.5e300, "", [UInt8]())
            }
            let row = try #require(try await db.read { try $0.queryOne("SELECT i, r, t, b FROM things") })
            #expect(row.values == [.integer(Int64.min), .real(-0.5e300), .text(""), .blob([])])
        }
    }

    @Test(arguments: Driver.available)
    func nullsRoundTripAndReadAsNil(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            try await makeTable(db)
            let missing: String? = nil
            try await db.write { connection in
                _ = try connection.execute("INSERT INTO things (i, r, t, b, flag) VALUES (?, ?, ?, ?, ?)",
                                           Int?.none, SQLValue.null, missing, [UInt8]?.none, Bool?.none)
            }
            let row = try #require(try await db.read { try $0.queryOne("SELECT i, r, t, b, flag FROM things") })
            #expect(row.values == [.null, .null, .null, .null, .null])
            #expect(try row.optionalInt("i") == nil)
            #expect(try row.optionalDouble("r") == nil)
            #expect(try row.optionalString("t") == nil)
            #expect(try row.optionalBlob("b") == nil)
            #expect(try row.optionalBool("flag") == nil)
            #expect(try row.optionalDate("i") == nil)
            #expect(try row.isNull("t"))
        }
    }

    @Test(arguments: Driver.available)
    func sqlMetacharactersAreStoredVerbatim(driver: Driver) async throws {
        let nasty = [
            "'; DROP TABLE things; --", "Robert'); DELETE FROM things WHERE ('1'='1", "\"quoted\" ?",
            "back\\slash \\x00", "$1 $2 ? ?? %s %d", "line\nbreak\ttab", "/* not a comment */ -- nor this",
        ]
        try await withDatabase(driver) { db in
            try await makeTable(db)
            try await db.write { connection in
                for text in nasty { _ = try connection.execute("INSERT INTO things (t) VALUES (?)", text) }
            }
            let stored = try await db.read { connection in
                try connection.query("SELECT t FROM things ORDER BY id").map { try $0.string("t") }
            }
            #expect(stored == nasty)
            let found = try await db.read { try $0.query("SELECT id FROM things WHERE t = ?", nasty[0]).count }
            #expect(found == 1)
        }
    }

    @Test(arguments: Driver.available)
    func questionMarksInsideStringLiteralsAreNotPlaceholders(driver: Driver) async throws {
        try await withDatabase(driver) { db in
            let row = try #require(try await db.read { connection in
                try connection.queryOne("SELECT 'what?' AS a, ? AS b, 'it''s ?' AS c", "x")
            })
            #expect(try row.string("a") == "what?")
            #expect(try row.string("b") == "x")
            #expect(try row.string("c") == "it's ?")
        }
    }
}
