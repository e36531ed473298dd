import CPostgres
import Foundation

/// One libpq connection. Only one thread uses it at a time (the pool guarantees that), hence
/// `@unchecked Sendable`.
final class PostgresConnection: Connection, @unchecked Sendable {
    let dialect = SQLDialect.postgres
    let handle: OpaquePointer
    private var rewritten: [String: (sql: String, count: Int)] = [:]

    /// Connects (blocking) with the configuration's keywords; throws `unavailable` on failure.
    init(configuration: PostgresConfiguration) throws(DatabaseError) {
        let pairs = configuration.connectionKeywords
        let keywords = pairs.map { UnsafePointer(strdup($0.0)) } + [nil]
        let values = pairs.map { UnsafePointer(strdup($0.1)) } + [nil]
        defer {
            for pointer in keywords + values { free(UnsafeMutablePointer(mutating: pointer)) }
        }
        guard let handle = PQconnectdbParams(keywords, values, 0) else {
            throw .unavailable("cannot connect to PostgreSQL: out of memory")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(handle))
            PQfinish(handle)
            throw .unavailable("cannot connect to PostgreSQL: \(message)")
        }
        self.handle = handle
        // libpq prints NOTICEs ("relation already exists, skipping") to stderr by default.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    /// Closes the connection.
    func close() {
        PQfinish(handle)
    }

    /// Whether libpq still considers the connection usable.
    var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

    func execute(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> Int {
        let result = try run(sql, params)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func query(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> [Row] {
        let result = try run(sql, params)
        defer { PQclear(result) }
        return Self.rows(of: result)
    }

    func executeScript(_ sql: String) throws(DatabaseError) {
        // PQexec uses the simple query protocol, which accepts several statements in one string.
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result)
    }

    /// Makes a pooled connection fit for a new caller: reconnects a dropped one and rolls back a
    /// transaction a failed caller left open.
    func prepareForUse() throws(DatabaseError) {
        if !isHealthy { try reset() }
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE:
            return
        case PQTRANS_INTRANS, PQTRANS_INERROR:
            try executeScript("ROLLBACK")
        default:
            try reset()
        }
    }

    /// Runs `body` between `begin` and `COMMIT`, rolling back when it throws.
    func transaction<T>(begin: String, _ body: (any Connection) throws -> T) throws -> T {
        try start(begin)
        do {
            let result = try body(self)
            try commit()
            return result
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    private func start(_ begin: String) throws(DatabaseError) {
        do {
            try executeScript(begin)
        } catch {
            // The server may have dropped this idle pooled connection (restart, idle timeout,
            // failover). Nothing has run yet, so reconnecting and retrying once is safe.
            guard case .unavailable = error, !isHealthy else { throw error }
            try reset()
            try executeScript(begin)
        }
    }

    private func commit() throws(DatabaseError) {
        let result = PQexec(handle, "COMMIT")
        defer { PQclear(result) }
        try check(result)
        // COMMIT of a transaction in which a statement failed (and the caller swallowed the error)
        // quietly rolls back; say so instead of pretending the work was saved.
        if String(cString: PQcmdStatus(result)) == "ROLLBACK" {
            throw .postgres(sqlState: "25P02", message: "transaction was rolled back because a statement in it failed")
        }
    }

    private func rollbackIfOpen() {
        guard isHealthy, PQtransactionStatus(handle) != PQTRANS_IDLE else { return }
        PQclear(PQexec(handle, "ROLLBACK"))
    }

    private func reset() throws(DatabaseError) {
        PQreset(handle)
        guard isHealthy else {
            throw .unavailable("lost the PostgreSQL connection and could not reconnect: \(Self.message(PQerrorMessage(handle)))")
        }
    }

    /// Runs one parameterised statement and returns its (successful) result, which the caller clears.
    private func run(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> OpaquePointer {
        let (text, expected) = placeholders(sql)
        guard expected == params.count else { throw .parameterCount(expected: expected, given: params.count) }
        let result = Self.withParameters(params) { types, values, lengths, formats in
            PQexecParams(handle, text, Int32(params.count), types, values, lengths, formats, 0)
        }
        do {
            try check(result)
        } catch {
            PQclear(result)
            throw error
        }
        return result!
    }

    private func placeholders(_ sql: String) -> (sql: String, count: Int) {
        if let cached = rewritten[sql] { return cached }
        let rewrite = Placeholders.rewrite(sql)
        if rewritten.count >= 256 { rewritten = [:] }
        rewritten[sql] = rewrite
        return rewrite
    }

    /// Throws the mapped error unless `result` reports success.
    private func check(_ result: OpaquePointer?) throws(DatabaseError) {
        guard let result else { throw .unavailable(Self.message(PQerrorMessage(handle))) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            throw mapError(result)
        }
    }

    static func message(_ text: UnsafePointer<CChar>?) -> String {
        text.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "unknown error"
    }
}
