import Foundation
import Storage
import Testing

@Suite struct RowTests {
    private let row = Row(["id": .integer(7), "name": .text("ada"), "score": .real(1.5), "gone": .null])

    @Test func readsByNameAndByIndex() throws {
        #expect(try row.int("id") == 7)
        #expect(try row.int(0) == 7)
        #expect(try row.string(1) == "ada")
        #expect(row["name"] == .text("ada"))
        #expect(row[3] == .null)
        #expect(row["missing"] == nil)
        #expect(row[9] == nil)
    }

    @Test func namesMatchCaseInsensitivelyWhenNoExactMatch() throws {
        #expect(try row.string("NAME") == "ada")
    }

    @Test func wrongTypeThrowsTypeMismatchNamingTheColumn() {
        #expect(throws: DatabaseError.typeMismatch(column: "name")) { try row.int("name") }
        #expect(throws: DatabaseError.typeMismatch(column: "id")) { try row.string("id") }
        #expect(throws: DatabaseError.typeMismatch(column: "#2")) { try row.blob(2) }
    }

    @Test func nullInNonOptionalGetterIsATypeMismatch() {
        #expect(throws: DatabaseError.typeMismatch(column: "gone")) { try row.string("gone") }
    }

    @Test func missingColumnThrowsNoSuchColumn() {
        #expect(throws: DatabaseError.noSuchColumn("nope")) { try row.int("nope") }
        #expect(throws: DatabaseError.noSuchColumn("#4")) { try row.optionalInt(4) }
    }

    @Test func integersWidenToDoubleButTextNeverBecomesANumber() throws {
        #expect(try row.double("id") == 7)
        #expect(try row.double("score") == 1.5)
        #expect(throws: DatabaseError.typeMismatch(column: "score")) { try row.int("score") }
    }
}
