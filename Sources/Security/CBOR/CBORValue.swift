/// A CBOR data item (RFC 8949), limited to the kinds WebAuthn and COSE use: integers, byte and
/// text strings, arrays, maps with integer or text keys, `true`, `false` and `null`. Floats,
/// tags, `undefined` and other simple values are refused by the decoder, so code that walks a
/// value never meets a kind it has no rule for.
public indirect enum CBORValue: Sendable, Equatable {
    /// Major type 0: an unsigned integer.
    case unsigned(UInt64)
    /// Major type 1: the integer `-1 - n`, kept as `n` so the whole range down to -2^64 fits.
    case negative(UInt64)
    /// Major type 2: a byte string.
    case bytes([UInt8])
    /// Major type 3: a text string (valid UTF-8).
    case text(String)
    /// Major type 4: an array.
    case array([CBORValue])
    /// Major type 5: a map, in the order it was encoded.
    case map(CBORMap)
    /// `false` or `true` (simple values 20 and 21).
    case bool(Bool)
    /// `null` (simple value 22).
    case null

    /// The integer, if this is one within `Int64`.
    public var int64Value: Int64? {
        switch self {
        case .unsigned(let value): value <= UInt64(Int64.max) ? Int64(value) : nil
        case .negative(let value): value <= UInt64(Int64.max) ? -1 - Int64(value) : nil
        default: nil
        }
    }

    /// The integer, if this is one within `Int`.
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// The bytes, if this is a byte string.
    public var bytesValue: [UInt8]? {
        if case .bytes(let value) = self { value } else { nil }
    }

    /// The text, if this is a text string.
    public var textValue: String? {
        if case .text(let value) = self { value } else { nil }
    }

    /// The map, if this is one.
    public var mapValue: CBORMap? {
        if case .map(let value) = self { value } else { nil }
    }

    /// The elements, if this is an array.
    public var arrayValue: [CBORValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// An integer of either sign.
    public static func int(_ value: Int64) -> CBORValue {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-1 - value))
    }
}

/// A map key: CTAP2 and COSE only ever use small integers and text.
public enum CBORKey: Sendable, Hashable {
    /// An integer key (COSE labels such as 1, 3, -1, -2).
    case int(Int64)
    /// A text key (`"fmt"`, `"authData"`).
    case text(String)

    /// The key as the value it was decoded from.
    public var value: CBORValue {
        switch self {
        case .int(let value): .int(value)
        case .text(let value): .text(value)
        }
    }
}

/// The entries of a CBOR map in encoded order; the decoder has already refused duplicate keys.
public struct CBORMap: Sendable, Equatable {
    /// Key and value pairs, in order.
    public private(set) var entries: [(key: CBORKey, value: CBORValue)]

    /// A map of `entries`, in that order (an encoder writes them so; CTAP2 wants them sorted).
    public init(_ entries: [(key: CBORKey, value: CBORValue)] = []) {
        self.entries = entries
    }

    /// The value under `key`, if present.
    public subscript(key: CBORKey) -> CBORValue? {
        entries.first { $0.key == key }?.value
    }

    /// The value under the integer label `label`, if present.
    public subscript(label: Int64) -> CBORValue? { self[.int(label)] }

    /// The value under the text key `name`, if present.
    public subscript(name: String) -> CBORValue? { self[.text(name)] }

    /// How many entries there are.
    public var count: Int { entries.count }

    /// Appends `value` under `key` (the caller keeps keys unique).
    public mutating func append(_ key: CBORKey, _ value: CBORValue) {
        entries.append((key, value))
    }

    public static func == (left: CBORMap, right: CBORMap) -> Bool {
        left.entries.count == right.entries.count
            && zip(left.entries, right.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
