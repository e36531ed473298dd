import Foundation

/// Where `DATABASE_URL` points: a SQLite file (or memory) or a PostgreSQL server.
///
/// Accepted forms: `sqlite:db/site.sqlite3` (relative), `sqlite:///abs/path`, `sqlite::memory:`, a
/// bare path (`db/site.sqlite3`, `/var/lib/site.db`, `:memory:`), and
/// `postgres://user:pass@host:port/db?sslmode=require&pool=10` (or `postgresql://`).
public enum DatabaseURL: Sendable, Equatable {
    /// A SQLite database at a file path, `:memory:`, or a `file:` URI.
    case sqlite(path: String)
    /// A PostgreSQL server.
    case postgres(PostgresConfiguration)

    /// Parses `string`; throws `badURL` naming what is wrong (never echoing a password).
    public init(parsing string: String) throws(DatabaseError) {
        guard !string.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .badURL("DATABASE_URL is empty; use sqlite:path or postgres://user@host/db")
        }
        guard let scheme = Self.scheme(of: string) else {
            self = .sqlite(path: string)
            return
        }
        switch scheme.lowercased() {
        case "sqlite":
            self = .sqlite(path: try Self.sqlitePath(String(string.dropFirst(scheme.count + 1))))
        case "postgres", "postgresql":
            self = .postgres(try PostgresConfiguration(url: string))
        default:
            throw .badURL("unsupported database scheme '\(scheme)'; use sqlite:path or postgres://user@host/db")
        }
    }

    /// The scheme before the first `:`, when the string starts with one (`:memory:` does not).
    private static func scheme(of string: String) -> String? {
        guard let colon = string.firstIndex(of: ":"), colon != string.startIndex else { return nil }
        let candidate = string[..<colon]
        guard candidate.first!.isLetter,
              candidate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) })
        else { return nil }
        return String(candidate)
    }

    private static func sqlitePath(_ rest: String) throws(DatabaseError) -> String {
        if rest.hasPrefix("//") {
            let path = rest.dropFirst(2)
            guard path.hasPrefix("/"), path.count > 1 else {
                throw .badURL("sqlite:// must be followed by an absolute path (sqlite:///var/db/site.sqlite3); "
                    + "write a relative path as sqlite:db/site.sqlite3")
            }
            return String(path)
        }
        guard !rest.isEmpty else {
            throw .badURL("sqlite: URL has no path; use sqlite:db/site.sqlite3 or sqlite::memory:")
        }
        return rest
    }
}

/// Opens the database `url` names (see `DatabaseURL`). PostgreSQL connections open lazily, on
/// first use, so this never blocks on the network.
public func openDatabase(url: String) throws(DatabaseError) -> any Database {
    switch try DatabaseURL(parsing: url) {
    case .sqlite(let path):
        return try SQLiteDatabase(path: path)
    case .postgres(let configuration):
        return PostgresDatabase(configuration: configuration)
    }
}
