import Foundation

extension Row {
    /// The column as `Int`.
    public func int(_ column: some ColumnReference) throws(DatabaseError) -> Int { try get(column) }
    /// The column as `Int`, nil for `NULL`.
    public func optionalInt(_ column: some ColumnReference) throws(DatabaseError) -> Int? { try get(column) }
    /// The column as `Int64`.
    public func int64(_ column: some ColumnReference) throws(DatabaseError) -> Int64 { try get(column) }
    /// The column as `Int64`, nil for `NULL`.
    public func optionalInt64(_ column: some ColumnReference) throws(DatabaseError) -> Int64? { try get(column) }
    /// The column as `Double`.
    public func double(_ column: some ColumnReference) throws(DatabaseError) -> Double { try get(column) }
    /// The column as `Double`, nil for `NULL`.
    public func optionalDouble(_ column: some ColumnReference) throws(DatabaseError) -> Double? { try get(column) }
    /// The column as `Bool` (stored as INTEGER 0/1).
    public func bool(_ column: some ColumnReference) throws(DatabaseError) -> Bool { try get(column) }
    /// The column as `Bool`, nil for `NULL`.
    public func optionalBool(_ column: some ColumnReference) throws(DatabaseError) -> Bool? { try get(column) }
    /// The column as `String`.
    public func string(_ column: some ColumnReference) throws(DatabaseError) -> String { try get(column) }
    /// The column as `String`, nil for `NULL`.
    public func optionalString(_ column: some ColumnReference) throws(DatabaseError) -> String? { try get(column) }
    /// The column as bytes.
    public func blob(_ column: some ColumnReference) throws(DatabaseError) -> [UInt8] { try get(column) }
    /// The column as bytes, nil for `NULL`.
    public func optionalBlob(_ column: some ColumnReference) throws(DatabaseError) -> [UInt8]? { try get(column) }
    /// The column as a `Date` (stored as INTEGER unix seconds).
    public func date(_ column: some ColumnReference) throws(DatabaseError) -> Date { try get(column) }
    /// The column as a `Date`, nil for `NULL`.
    public func optionalDate(_ column: some ColumnReference) throws(DatabaseError) -> Date? { try get(column) }
    /// Whether the column is `NULL`.
    public func isNull(_ column: some ColumnReference) throws(DatabaseError) -> Bool { try value(column).isNull }
}
