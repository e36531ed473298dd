/// The claims of a token (or any JSON object), with typed accessors that never trap.
public struct Claims: Sendable, Equatable {
    /// All claims as parsed.
    public let values: [String: JSONValue]

    /// Claims from parsed values.
    public init(_ values: [String: JSONValue]) {
        self.values = values
    }

    /// The raw value of `name`.
    public subscript(name: String) -> JSONValue? {
        values[name]
    }

    /// The claim as a string, nil if absent or of another type.
    public func string(_ name: String) -> String? {
        values[name]?.stringValue
    }

    /// The claim as an integer (NumericDate fractions truncated), nil if absent or not a number.
    public func int(_ name: String) -> Int? {
        values[name]?.intValue
    }

    /// The claim as a Boolean; also reads the strings "true"/"false" some providers send.
    public func bool(_ name: String) -> Bool? {
        switch values[name] {
        case let .bool(value): value
        case .string("true"): true
        case .string("false"): false
        default: nil
        }
    }

    /// `aud`, which RFC 7519 allows as one string or an array of strings.
    public var audience: [String] {
        switch values["aud"] {
        case let .string(value): [value]
        case let .array(values): values.compactMap(\.stringValue)
        default: []
        }
    }
}
