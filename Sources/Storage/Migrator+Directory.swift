import Foundation

extension Migrator {
    /// Loads `NNN_name.sql` files from `directory`, with `NNN_name.sqlite.sql` and
    /// `NNN_name.postgres.sql` overriding the portable file on their dialect. Other files are
    /// ignored; a `.sql` file whose name does not fit the pattern is an error, not silently skipped.
    public init(directory: String, table: String = "schema_migrations") throws(DatabaseError) {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .migration("cannot read migration directory \(directory): \(error.localizedDescription)")
        }
        var byVersion: [Int: (name: String, portable: String?, variants: [SQLDialect: String])] = [:]
        for file in files.sorted() where file.hasSuffix(".sql") {
            let parsed = try Self.parse(fileName: file)
            let path = (directory as NSString).appendingPathComponent(file)
            let sql: String
            do {
                sql = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .migration("cannot read \(path): \(error.localizedDescription)")
            }
            var entry = byVersion[parsed.version] ?? (parsed.name, nil, [:])
            guard entry.name == parsed.name else {
                throw .migration("version \(parsed.version) is used by both '\(entry.name)' and '\(parsed.name)'")
            }
            if let dialect = parsed.dialect {
                entry.variants[dialect] = sql
            } else {
                entry.portable = sql
            }
            byVersion[parsed.version] = entry
        }
        try self.init(migrations: byVersion.map { version, entry in
            Migration(version: version, name: entry.name, sql: entry.portable, variants: entry.variants)
        }, table: table)
    }

    /// Splits `001_add_users.postgres.sql` into 1, `add_users`, `.postgres`.
    static func parse(fileName: String) throws(DatabaseError) -> (version: Int, name: String, dialect: SQLDialect?) {
        let expected = "expected NNN_name.sql, NNN_name.sqlite.sql or NNN_name.postgres.sql"
        var stem = fileName.dropLast(".sql".count)
        var dialect: SQLDialect?
        if let dot = stem.lastIndex(of: ".") {
            guard let named = SQLDialect(rawValue: String(stem[stem.index(after: dot)...])) else {
                throw .migration("\(fileName): unknown dialect suffix; \(expected)")
            }
            dialect = named
            stem = stem[..<dot]
        }
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        let rest = stem.dropFirst(digits.count)
        guard !digits.isEmpty, let version = Int(digits), rest.hasPrefix("_"), rest.count > 1,
              rest.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw .migration("\(fileName): \(expected)")
        }
        return (version, String(rest.dropFirst()), dialect)
    }
}
