import Foundation

/// A Swift value that can be bound to a `?` placeholder.
public protocol SQLBindable {
    /// The value as the driver binds it.
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLBindable {
    /// Itself, so ready-made values can be mixed with Swift ones.
    public var sqlValue: SQLValue { self }
}

extension Int: SQLBindable {
    /// An `.integer`.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: SQLBindable {
    /// An `.integer`.
    public var sqlValue: SQLValue { .integer(self) }
}

extension Int32: SQLBindable {
    /// An `.integer`.
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Bool: SQLBindable {
    /// `.integer(1)` or `.integer(0)`: booleans are stored as INTEGER 0/1 on both dialects.
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
}

extension Double: SQLBindable {
    /// A `.real`.
    public var sqlValue: SQLValue { .real(self) }
}

extension String: SQLBindable {
    /// A `.text`.
    public var sqlValue: SQLValue { .text(self) }
}

extension Substring: SQLBindable {
    /// A `.text`.
    public var sqlValue: SQLValue { .text(String(self)) }
}

extension Array: SQLBindable where Element == UInt8 {
    /// A `.blob`.
    public var sqlValue: SQLValue { .blob(self) }
}

extension Date: SQLBindable {
    /// Whole unix seconds as an `.integer` (rounded down), the one way times are stored.
    public var sqlValue: SQLValue { .integer(Int64(timeIntervalSince1970.rounded(.down))) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    /// The wrapped value, or `.null`.
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
