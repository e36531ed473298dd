/// The column names of one result, shared by all of its rows.
public final class ResultColumns: Sendable {
    /// Column names in select-list order.
    public let names: [String]

    /// Keeps `names`; when two columns share a name the first one wins.
    public init(_ names: [String]) {
        self.names = names
    }

    /// The index of `name`. Falls back to an ASCII case-insensitive match because PostgreSQL
    /// folds unquoted identifiers to lower case while SQLite keeps them as written.
    ///
    /// A scan, not a dictionary: results have a handful of columns, and comparing short names
    /// (length first) costs a fraction of hashing the name on every `row["column"]`.
    public func index(of name: String) -> Int? {
        let count = name.utf8.count
        for (index, candidate) in names.enumerated() where candidate.utf8.count == count && candidate == name {
            return index
        }
        for (index, candidate) in names.enumerated() where candidate.utf8.count == count && Self.foldedEqual(candidate, name) {
            return index
        }
        return nil
    }

    private static func foldedEqual(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator(), right = b.utf8.makeIterator()
        while let x = left.next() {
            guard let y = right.next() else { return false }
            if x == y { continue }
            if (x | 0x20) != (y | 0x20) || !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A) { return false }
        }
        return right.next() == nil
    }
}

/// Something that picks a column of a `Row`: a name (`"id"`) or a zero-based index (`0`).
public protocol ColumnReference: Sendable {
    /// The index this reference points at in `columns`, if any.
    func resolve(in columns: ResultColumns) -> Int?
    /// How the column is named in errors.
    var columnDescription: String { get }
}

extension String: ColumnReference {
    /// Looks the name up.
    @inlinable public func resolve(in columns: ResultColumns) -> Int? { columns.index(of: self) }
    /// The name itself.
    @inlinable public var columnDescription: String { self }
}

extension Int: ColumnReference {
    /// The index itself, when in range.
    @inlinable public func resolve(in columns: ResultColumns) -> Int? {
        columns.names.indices.contains(self) ? self : nil
    }
    /// `#index`.
    @inlinable public var columnDescription: String { "#\(self)" }
}

/// One result row: values in select-list order plus the shared column names.
public struct Row: Sendable {
    /// The result's column names.
    public let columns: ResultColumns
    /// The values, in the same order as `columns.names`.
    public let values: [SQLValue]

    /// Makes a row; `values` must have one entry per column.
    public init(columns: ResultColumns, values: [SQLValue]) {
        precondition(columns.names.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    /// Makes a one-off row from name/value pairs (handy in tests and fakes).
    public init(_ pairs: KeyValuePairs<String, SQLValue>) {
        self.init(columns: ResultColumns(pairs.map(\.key)), values: pairs.map(\.value))
    }

    /// The raw value of `column`, or nil when there is no such column.
    @inlinable public subscript(column: some ColumnReference) -> SQLValue? {
        column.resolve(in: columns).map { values[$0] }
    }

    /// The raw value of `column`; throws `noSuchColumn` when it does not exist.
    @inlinable public func value(_ column: some ColumnReference) throws(DatabaseError) -> SQLValue {
        guard let index = column.resolve(in: columns) else {
            throw .noSuchColumn(column.columnDescription)
        }
        return values[index]
    }

    /// The value of `column` converted to `T`; throws `noSuchColumn` or `typeMismatch`.
    @inlinable public func get<T: SQLDecodable>(_ column: some ColumnReference, as type: T.Type = T.self) throws(DatabaseError) -> T {
        let raw = try value(column)
        guard let decoded = T.decode(from: raw) else {
            throw .typeMismatch(column: column.columnDescription)
        }
        return decoded
    }
}
