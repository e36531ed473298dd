import Foundation

/// A Swift type a column value can be read as. Conversions are strict (text never becomes a
/// number) except where the dialects store the same thing differently.
public protocol SQLDecodable {
    /// The converted value, or nil when `value` cannot represent this type.
    static func decode(from value: SQLValue) -> Self?
}

extension SQLValue: SQLDecodable {
    /// The raw value, whatever it is.
    public static func decode(from value: SQLValue) -> SQLValue? { value }
}

extension Int64: SQLDecodable {
    /// Integers only.
    public static func decode(from value: SQLValue) -> Int64? {
        if case .integer(let number) = value { return number }
        return nil
    }
}

extension Int: SQLDecodable {
    /// Integers that fit.
    public static func decode(from value: SQLValue) -> Int? {
        Int64.decode(from: value).flatMap { Int(exactly: $0) }
    }
}

extension Int32: SQLDecodable {
    /// Integers that fit.
    public static func decode(from value: SQLValue) -> Int32? {
        Int64.decode(from: value).flatMap { Int32(exactly: $0) }
    }
}

extension Bool: SQLDecodable {
    /// Integers, non-zero meaning true (booleans are stored as INTEGER 0/1).
    public static func decode(from value: SQLValue) -> Bool? {
        Int64.decode(from: value).map { $0 != 0 }
    }
}

extension Double: SQLDecodable {
    /// Reals, and integers too: a whole-number aggregate may come back as an integer.
    public static func decode(from value: SQLValue) -> Double? {
        switch value {
        case .real(let number): return number
        case .integer(let number): return Double(number)
        default: return nil
        }
    }
}

extension String: SQLDecodable {
    /// Text only.
    public static func decode(from value: SQLValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }
}

extension Array: SQLDecodable where Element == UInt8 {
    /// Blobs only.
    public static func decode(from value: SQLValue) -> [UInt8]? {
        if case .blob(let bytes) = value { return bytes }
        return nil
    }
}

extension Date: SQLDecodable {
    /// Integer unix seconds, the one way times are stored.
    public static func decode(from value: SQLValue) -> Date? {
        Int64.decode(from: value).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    /// nil for `NULL`, otherwise the wrapped conversion.
    public static func decode(from value: SQLValue) -> Wrapped?? {
        if value.isNull { return .some(nil) }
        return Wrapped.decode(from: value).map { .some($0) }
    }
}
