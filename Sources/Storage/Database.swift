/// A database reached through a pool of connections. Work that may block runs on the worker pool,
/// so event loops only ever await; the one exception is a SQLite read short enough to cost less
/// than the trip (see `SQLiteDatabase.read`). A read's body may therefore run more than once: it
/// must only compute from what it reads.
public protocol Database: Sendable {
    /// The SQL flavour, for the rare query that cannot be portable.
    var dialect: SQLDialect { get }
    /// Runs `body` in a read-only transaction, so all its queries see one snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T
    /// Closes idle connections now and busy ones when they come back; later calls throw
    /// `unavailable`.
    func close()
}
