/// One open database connection, lent to the body of `Database.read` or `Database.write` on a
/// worker thread. Never keep it past that body: the pool hands it to someone else afterwards.
///
/// SQL uses `?` placeholders on both dialects (the PostgreSQL driver rewrites them to `$1…`).
public protocol Connection: AnyObject {
    /// The SQL flavour of this connection.
    var dialect: SQLDialect { get }
    /// Runs one statement and returns how many rows it changed (most callers do not need it).
    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> Int
    /// Runs one statement and returns all its rows.
    func query(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> [Row]
    /// Runs several `;`-separated statements without parameters (migrations, fixtures).
    func executeScript(_ sql: String) throws(DatabaseError)
}

extension Connection {
    /// Runs one statement and returns its first row, if any.
    public func queryOne(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> Row? {
        try query(sql, params).first
    }

    /// Runs an `INSERT … RETURNING id` and returns the new id (the first column of the first row).
    public func insert(_ sql: String, _ params: [SQLValue]) throws(DatabaseError) -> Int64 {
        guard let row = try queryOne(sql, params) else { throw .noReturnedID }
        return try row.int64(0)
    }

    /// `execute` with Swift values: `try db.execute("DELETE FROM t WHERE id = ?", id)`.
    @discardableResult
    public func execute(_ sql: String, _ params: any SQLBindable...) throws(DatabaseError) -> Int {
        try execute(sql, params.map(\.sqlValue))
    }

    /// `query` with Swift values.
    public func query(_ sql: String, _ params: any SQLBindable...) throws(DatabaseError) -> [Row] {
        try query(sql, params.map(\.sqlValue))
    }

    /// `queryOne` with Swift values.
    public func queryOne(_ sql: String, _ params: any SQLBindable...) throws(DatabaseError) -> Row? {
        try queryOne(sql, params.map(\.sqlValue))
    }

    /// `insert` with Swift values.
    public func insert(_ sql: String, _ params: any SQLBindable...) throws(DatabaseError) -> Int64 {
        try insert(sql, params.map(\.sqlValue))
    }
}
