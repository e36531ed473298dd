import Foundation
import CSQLite

extension SQLiteConnection {
    /// SQLite copies text and blobs it is handed with this destructor, so Swift buffers may go.
    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self)
    }

    func bind(_ params: [SQLValue], to statement: OpaquePointer) throws(DatabaseError) {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == params.count else { throw .parameterCount(expected: expected, given: params.count) }
        for (offset, value) in params.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(statement, index)
            case .integer(let number):
                rc = sqlite3_bind_int64(statement, index, number)
            case .real(let number):
                rc = sqlite3_bind_double(statement, index, number)
            case .text(var text):
                // Explicit length keeps embedded NULs; an empty buffer may have no address, and a
                // nil pointer would bind NULL instead of ''.
                rc = text.withUTF8 { bytes in
                    bytes.isEmpty
                        ? sqlite3_bind_text(statement, index, "", 0, Self.transient)
                        : sqlite3_bind_text(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
                }
            case .blob(let bytes):
                rc = bytes.isEmpty
                    ? sqlite3_bind_zeroblob(statement, index, 0)
                    : bytes.withUnsafeBytes { raw in
                        sqlite3_bind_blob(statement, index, raw.baseAddress, Int32(raw.count), Self.transient)
                    }
            }
            guard rc == SQLITE_OK else { throw Self.mapError(code: rc, message: lastMessage) }
        }
    }

    static func columns(of statement: OpaquePointer) -> ResultColumns {
        ResultColumns((0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) })
    }

    static func values(of statement: OpaquePointer, count: Int) -> [SQLValue] {
        (0..<Int32(count)).map { index in
            switch sqlite3_column_type(statement, index) {
            case SQLITE_INTEGER:
                return .integer(sqlite3_column_int64(statement, index))
            case SQLITE_FLOAT:
                return .real(sqlite3_column_double(statement, index))
            case SQLITE_TEXT:
                let length = Int(sqlite3_column_bytes(statement, index))
                guard let text = sqlite3_column_text(statement, index) else { return .text("") }
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
            case SQLITE_BLOB:
                let length = Int(sqlite3_column_bytes(statement, index))
                guard let blob = sqlite3_column_blob(statement, index) else { return .blob([]) }
                return .blob(Array(UnsafeRawBufferPointer(start: blob, count: length)))
            default:
                return .null
            }
        }
    }

    /// Maps an extended result code to the error callers can act on.
    static func mapError(code: Int32, message: String) -> DatabaseError {
        switch code {
        case ExtendedCode.uniqueConstraint, ExtendedCode.primaryKeyConstraint:
            // "UNIQUE constraint failed: users.username"
            let constraint = message.split(separator: ":", maxSplits: 1).last
                .map { $0.trimmingCharacters(in: .whitespaces) }
            return .uniqueViolation(constraint: constraint)
        case ExtendedCode.foreignKeyConstraint:
            return .foreignKeyViolation
        default:
            switch code & 0xff {
            case SQLITE_BUSY, SQLITE_LOCKED: return .busy
            case SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_IOERR:
                return .unavailable(message)
            default: return .sql(code: code, message: message)
            }
        }
    }
}

/// Extended result codes that sqlite3.h defines as macro expressions, which Swift cannot import.
private enum ExtendedCode {
    static let foreignKeyConstraint = SQLITE_CONSTRAINT | (3 << 8)
    static let primaryKeyConstraint = SQLITE_CONSTRAINT | (6 << 8)
    static let uniqueConstraint = SQLITE_CONSTRAINT | (8 << 8)
}
