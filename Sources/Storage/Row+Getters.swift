import Foundation

// @inlinable: a caller in another module then gets a copy specialized for its column type and
// value type. Unspecialized, each column read looked up generic metadata at run time (Optional<T>,
// the column reference): a tenth of the instructions of the account page.
extension Row {
    /// The column as `Int`.
    @inlinable public func int(_ column: some ColumnReference) throws(DatabaseError) -> Int { try get(column) }
    /// The column as `Int`, nil for `NULL`.
    @inlinable public func optionalInt(_ column: some ColumnReference) throws(DatabaseError) -> Int? { try get(column) }
    /// The column as `Int64`.
    @inlinable public func int64(_ column: some ColumnReference) throws(DatabaseError) -> Int64 { try get(column) }
    /// The column as `Int64`, nil for `NULL`.
    @inlinable public func optionalInt64(_ column: some ColumnReference) throws(DatabaseError) -> Int64? { try get(column) }
    /// The column as `Double`.
    @inlinable public func double(_ column: some ColumnReference) throws(DatabaseError) -> Double { try get(column) }
    /// The column as `Double`, nil for `NULL`.
    @inlinable public func optionalDouble(_ column: some ColumnReference) throws(DatabaseError) -> Double? { try get(column) }
    /// The column as `Bool` (stored as INTEGER 0/1).
    @inlinable public func bool(_ column: some ColumnReference) throws(DatabaseError) -> Bool { try get(column) }
    /// The column as `Bool`, nil for `NULL`.
    @inlinable public func optionalBool(_ column: some ColumnReference) throws(DatabaseError) -> Bool? { try get(column) }
    /// The column as `String`.
    @inlinable public func string(_ column: some ColumnReference) throws(DatabaseError) -> String { try get(column) }
    /// The column as `String`, nil for `NULL`.
    @inlinable public func optionalString(_ column: some ColumnReference) throws(DatabaseError) -> String? { try get(column) }
    /// The column as bytes.
    @inlinable public func blob(_ column: some ColumnReference) throws(DatabaseError) -> [UInt8] { try get(column) }
    /// The column as bytes, nil for `NULL`.
    @inlinable public func optionalBlob(_ column: some ColumnReference) throws(DatabaseError) -> [UInt8]? { try get(column) }
    /// The column as a `Date` (stored as INTEGER unix seconds).
    @inlinable public func date(_ column: some ColumnReference) throws(DatabaseError) -> Date { try get(column) }
    /// The column as a `Date`, nil for `NULL`.
    @inlinable public func optionalDate(_ column: some ColumnReference) throws(DatabaseError) -> Date? { try get(column) }
    /// Whether the column is `NULL`.
    @inlinable public func isNull(_ column: some ColumnReference) throws(DatabaseError) -> Bool { try value(column).isNull }
}
