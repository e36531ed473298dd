/// PostgreSQL behind the `Database` protocol, through libpq: a bounded pool of connections opened
/// lazily, reconnected when the server dropped them, every statement parameterised.
public final class PostgresDatabase: Database {
    /// Always `.postgres`.
    public let dialect = SQLDialect.postgres
    /// The settings connections are opened with.
    public let configuration: PostgresConfiguration
    private let pool: ConnectionPool<PostgresConnection>

    /// A database whose connections open on first use, at most `configuration.poolSize` at once.
    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        pool = ConnectionPool(
            capacity: configuration.poolSize,
            open: { () throws(DatabaseError) in try PostgresConnection(configuration: configuration) },
            destroy: { $0.close() })
    }

    /// A database for a `postgres://` URL.
    public convenience init(url: String) throws(DatabaseError) {
        self.init(configuration: try PostgresConfiguration(url: url))
    }

    /// Runs `body` in a `REPEATABLE READ, READ ONLY` transaction: one snapshot, no writes.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T {
        try await run(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", body)
    }

    /// Runs `body` in a `READ COMMITTED` transaction.
    ///
    /// Unlike SQLite, a failed statement aborts the whole PostgreSQL transaction: let errors such
    /// as `uniqueViolation` propagate out of `body` (or use `ON CONFLICT`) instead of catching them
    /// inside it and carrying on.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T {
        try await run(begin: "BEGIN", body)
    }

    /// Closes idle connections now and busy ones when they come back.
    public func close() {
        pool.close()
    }

    private func run<T: Sendable>(begin: String, _ body: @escaping @Sendable (any Connection) throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            let result = Result {
                try connection.prepareForUse()
                return try connection.transaction(begin: begin, body)
            }
            return (result, connection.isHealthy)
        }
    }
}
