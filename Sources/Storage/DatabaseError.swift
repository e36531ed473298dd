/// Everything the storage layer throws. Constraint violations have their own cases so callers can
/// map them (a `uniqueViolation` on `users.username` becomes "username taken") without parsing
/// driver messages.
public indirect enum DatabaseError: Error, Sendable, Equatable {
    /// A UNIQUE or PRIMARY KEY constraint failed. The name is driver-specific: SQLite reports the
    /// columns (`users.username`), PostgreSQL the constraint (`users_username_key`).
    case uniqueViolation(constraint: String?)
    /// A FOREIGN KEY constraint failed.
    case foreignKeyViolation
    /// The database stayed locked past the busy timeout, or PostgreSQL reported a deadlock or
    /// serialization failure; retrying the whole transaction may succeed.
    case busy
    /// The database cannot be reached or opened, or has been closed.
    case unavailable(String)
    /// A column held a value of a different type than the getter asked for.
    case typeMismatch(column: String)
    /// A row has no column by that name or index.
    case noSuchColumn(String)
    /// The SQL has a different number of `?` placeholders than values were given.
    case parameterCount(expected: Int, given: Int)
    /// A single-statement call was given several statements (use `executeScript`).
    case multipleStatements
    /// `insert` ran but the statement returned no row (it needs `RETURNING id`).
    case noReturnedID
    /// Any other SQLite error, with its extended result code.
    case sql(code: Int32, message: String)
    /// Any other PostgreSQL error, with its SQLSTATE.
    case postgres(sqlState: String, message: String)
    /// The migration files are malformed (bad names, duplicate versions, missing dialect files).
    case migration(String)
    /// One migration failed and was rolled back completely.
    case migrationFailed(version: Int, name: String, underlying: DatabaseError)
    /// The database was migrated by a newer build than this one.
    case tooNew(dbVersion: Int, codeVersion: Int)
    /// `DATABASE_URL` could not be understood.
    case badURL(String)
}

extension DatabaseError: CustomStringConvertible {
    /// A sentence fit for a log line or a command-line error.
    public var description: String {
        switch self {
        case .uniqueViolation(let constraint):
            return "unique constraint violated" + (constraint.map { " (\($0))" } ?? "")
        case .foreignKeyViolation:
            return "foreign key constraint violated"
        case .busy:
            return "database is busy (locked, deadlocked or a serialization failure); retry the transaction"
        case .unavailable(let reason):
            return "database unavailable: \(reason)"
        case .typeMismatch(let column):
            return "column \(column) holds a value of a different type than requested"
        case .noSuchColumn(let column):
            return "result has no column \(column)"
        case .parameterCount(let expected, let given):
            return "SQL expects \(expected) parameter(s) but \(given) were given"
        case .multipleStatements:
            return "SQL contains more than one statement; use executeScript for scripts"
        case .noReturnedID:
            return "insert returned no row; end the statement with RETURNING id"
        case .sql(let code, let message):
            return "SQLite error \(code): \(message)"
        case .postgres(let sqlState, let message):
            return "PostgreSQL error \(sqlState): \(message)"
        case .migration(let problem):
            return "migrations: \(problem)"
        case .migrationFailed(let version, let name, let underlying):
            return "migration \(version) (\(name)) failed and was rolled back: \(underlying)"
        case .tooNew(let dbVersion, let codeVersion):
            return "database schema is at version \(dbVersion) but this build only knows up to "
                + "\(codeVersion); upgrade latchkey or point DATABASE_URL elsewhere"
        case .badURL(let problem):
            return "bad DATABASE_URL: \(problem)"
        }
    }
}
