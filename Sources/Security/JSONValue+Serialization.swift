extension JSONValue {
    /// Compact JSON with keys in byte order (what `JSONEncoder` writes with `.sortedKeys` and
    /// `.withoutEscapingSlashes`), written directly; nil when the value holds a number with a
    /// fraction or a string with a control character, whose spelling is left to `JSONEncoder`.
    ///
    /// Every token endpoint reply is one of these, and `JSONEncoder` cost about as much as the
    /// SQL of a grant.
    public var sortedCompactJSON: [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        return write(to: &out) ? out : nil
    }

    private func write(to out: inout [UInt8]) -> Bool {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double: return false
        case .string(let value): return Self.write(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard value.write(to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (index, key) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard Self.write(key, to: &out) else { return false }
                out.append(UInt8(ascii: ":"))
                guard fields[key]!.write(to: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    private static func write(_ string: String, to out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0..<0x20: return false
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return true
    }
}
