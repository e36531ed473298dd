/// One value as it travels to or from a database: the five storage classes SQLite knows, which
/// every PostgreSQL column we use maps onto.
public enum SQLValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// A 64-bit signed integer; also how booleans (0/1) and times (unix seconds) are stored.
    case integer(Int64)
    /// A double-precision float.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes (`BLOB` on SQLite, `BYTEA` on PostgreSQL).
    case blob([UInt8])

    /// Whether this is SQL `NULL`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// The SQL flavour behind a `Database`, for the few places (migrations, catalog queries) where the
/// portable subset is not enough.
public enum SQLDialect: String, Sendable, Hashable, CaseIterable {
    /// SQLite 3.35 or later (for `RETURNING`).
    case sqlite
    /// PostgreSQL through libpq.
    case postgres
}
