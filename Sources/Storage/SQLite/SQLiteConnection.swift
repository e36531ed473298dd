import Foundation
import CSQLite

/// One SQLite connection with its own prepared-statement cache. Only one thread uses it at a time
/// (the pool guarantees that), hence `SQLITE_OPEN_NOMUTEX` and `@unchecked Sendable`.
final class SQLiteConnection: Connection, @unchecked Sendable {
    let dialect = SQLDialect.sqlite
    let handle: OpaquePointer
    private var statements: [StatementKey: OpaquePointer] = [:]
    /// Each cached statement's result columns, indexed once rather than on every query (naming
    /// and hashing the columns cost as much as running a small query).
    private var resultColumns: [OpaquePointer: ResultColumns] = [:]
    // Hand-written SQL is a fixed set of strings, so this only guards against generated SQL.
    private static let statementCacheLimit = 256

    /// Opens `path` (a file name or a `file:` URI) with `flags` plus the ones we always need.
    init(path: String, flags: Int32) throws(DatabaseError) {
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw .unavailable("cannot open SQLite database \(path): \(message)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
    }

    /// Finalizes cached statements and closes the handle.
    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements = [:]
        resultColumns = [:]
        sqlite3_close_v2(handle)
    }

    func execute(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> Int {
        try withStatement(sql, params) { statement throws(DatabaseError) in
            while try step(statement) {}
            return Int(sqlite3_changes64(handle))
        }
    }

    func query(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> [Row] {
        // A body of many short queries never trips the progress handler: check between them.
        // (Only queries: the COMMIT or ROLLBACK that ends a transaction must always run.)
        if budgetDeadline != .infinity && budgetSpent() {
            throw .sql(code: SQLITE_INTERRUPT, message: "interrupted: over the budget for work on the caller's thread")
        }
        return try withStatement(sql, params) { statement throws(DatabaseError) in
            var rows: [Row] = []
            var columns: ResultColumns?
            while try step(statement) {
                let shared = columns ?? self.columns(of: statement)
                columns = shared
                rows.append(Row(columns: shared, values: Self.values(of: statement, count: shared.names.count)))
            }
            return rows
        }
    }

    func executeScript(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard rc == SQLITE_OK else {
            throw Self.mapError(code: sqlite3_extended_errcode(handle),
                                message: message.map { String(cString: $0) } ?? lastMessage)
        }
    }

    /// Runs `body` between `begin` and `COMMIT`, rolling back when it throws.
    func transaction<T>(begin: String, _ body: (any Connection) throws -> T) throws -> T {
        _ = try execute(begin, [])
        do {
            let result = try body(self)
            _ = try execute("COMMIT", [])
            return result
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    /// Rolls back a transaction left open by a failed body or COMMIT; errors are moot by then.
    func rollbackIfOpen() {
        guard sqlite3_get_autocommit(handle) == 0 else { return }
        // Past a spent budget the progress handler would interrupt the ROLLBACK too.
        sqlite3_progress_handler(handle, 0, nil, nil)
        _ = try? execute("ROLLBACK", [])
    }

    // MARK: a budget for work on the caller's thread

    /// Monotonic time after which work on this connection is cut short; infinity outside
    /// `withinBudget`.
    private var budgetDeadline = Double.infinity
    /// Whether the last `withinBudget` ran out: its statements were interrupted, whatever the body
    /// made of the errors, so its result must not be used.
    private(set) var budgetExceeded = false

    /// Runs `body` with a time budget: a statement still running when it is spent is interrupted
    /// (SQLite's progress handler, every 1,000 virtual-machine steps), and so is any statement
    /// started after. The caller checks `budgetExceeded` and runs the work again elsewhere.
    func withinBudget<T>(seconds: Double, _ body: () -> T) -> T {
        budgetExceeded = false
        budgetDeadline = Self.monotonicNow() + seconds
        sqlite3_progress_handler(handle, 1000, { context in
            guard let context else { return 0 }
            return Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue().budgetSpent() ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
        defer {
            sqlite3_progress_handler(handle, 0, nil, nil)
            budgetDeadline = .infinity
        }
        return body()
    }

    private func budgetSpent() -> Bool {
        if !budgetExceeded && Self.monotonicNow() > budgetDeadline { budgetExceeded = true }
        return budgetExceeded
    }

    static func monotonicNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    // MARK: statements

    private func withStatement<T>(
        _ sql: String, _ params: [SQLValue], _ body: (OpaquePointer) throws(DatabaseError) -> T
    ) throws(DatabaseError) -> T {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(params, to: statement)
        return try body(statement)
    }

    /// The statement's columns, from the cache while the statement still has as many (SQLite
    /// re-prepares a statement after a schema change, and `SELECT *` could then change shape).
    private func columns(of statement: OpaquePointer) -> ResultColumns {
        if let known = resultColumns[statement], known.names.count == Int(sqlite3_column_count(statement)) { return known }
        let fresh = Self.columns(of: statement)
        resultColumns[statement] = fresh
        return fresh
    }

    private func prepared(_ sql: String) throws(DatabaseError) -> OpaquePointer {
        if let cached = statements[StatementKey(sql)] { return cached }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            let rc = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // Copy the tail now: it points into `text`, which dies with this closure.
            tail = tail.flatMap { $0.pointee == 0 ? nil : UnsafePointer(strdup($0)) }
            return rc
        }
        defer { free(UnsafeMutablePointer(mutating: tail)) }
        guard rc == SQLITE_OK else { throw Self.mapError(code: sqlite3_extended_errcode(handle), message: lastMessage) }
        guard let statement else { throw .sql(code: SQLITE_MISUSE, message: "empty SQL statement") }
        if let tail, try containsStatement(tail) {
            sqlite3_finalize(statement)
            throw .multipleStatements
        }
        if statements.count >= Self.statementCacheLimit {
            for old in statements.values { sqlite3_finalize(old) }
            statements = [:]
            resultColumns = [:]
        }
        statements[StatementKey(sql)] = statement
        return statement
    }

    /// Whether `sql` holds another statement rather than only whitespace and comments.
    private func containsStatement(_ sql: UnsafePointer<CChar>) throws(DatabaseError) -> Bool {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        return rc != SQLITE_OK || statement != nil
    }

    /// Advances `statement`: true for a row, false when done.
    private func step(_ statement: OpaquePointer) throws(DatabaseError) -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw Self.mapError(code: sqlite3_extended_errcode(handle), message: lastMessage)
        }
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// The statement cache's key: the SQL text, hashed by its length and its last bytes only.
///
/// Every query looks its statement up, and SQL texts run to hundreds of bytes: hashing all of
/// them was a tenth of a simple read. Texts that share a length and an ending still land apart
/// by full comparison; they only share a bucket.
struct StatementKey: Hashable {
    let sql: String

    init(_ sql: String) { self.sql = sql }

    func hash(into hasher: inout Hasher) {
        let utf8 = sql.utf8
        hasher.combine(utf8.count)
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.suffix(24))))
        }
        if hashed == nil { for byte in utf8.suffix(24) { hasher.combine(byte) } }
    }

    static func == (a: StatementKey, b: StatementKey) -> Bool { a.sql == b.sql }
}
