/// Encoding, in the shortest form the decoder demands. Map entries are written in the order the
/// map holds them; callers that need CTAP2 canonical order build the map sorted.
extension CBORValue {
    /// The item's encoding.
    public var encoded: [UInt8] {
        var output: [UInt8] = []
        encode(into: &output)
        return output
    }

    private func encode(into output: inout [UInt8]) {
        switch self {
        case .unsigned(let value):
            Self.head(major: 0, value, into: &output)
        case .negative(let value):
            Self.head(major: 1, value, into: &output)
        case .bytes(let value):
            Self.head(major: 2, UInt64(value.count), into: &output)
            output += value
        case .text(let value):
            Self.head(major: 3, UInt64(value.utf8.count), into: &output)
            output += value.utf8
        case .array(let elements):
            Self.head(major: 4, UInt64(elements.count), into: &output)
            for element in elements { element.encode(into: &output) }
        case .map(let map):
            Self.head(major: 5, UInt64(map.count), into: &output)
            for (key, value) in map.entries {
                key.value.encode(into: &output)
                value.encode(into: &output)
            }
        case .bool(let value):
            output.append(value ? 0xF5 : 0xF4)
        case .null:
            output.append(0xF6)
        }
    }

    private static func head(major: UInt8, _ value: UInt64, into output: inout [UInt8]) {
        let type = major << 5
        switch value {
        case 0..<24:
            output.append(type | UInt8(value))
        case 24...0xFF:
            output += [type | 24, UInt8(value)]
        case 0x100...0xFFFF:
            output.append(type | 25)
            output += (0..<2).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        case 0x1_0000...0xFFFF_FFFF:
            output.append(type | 26)
            output += (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        default:
            output.append(type | 27)
            output += (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        }
    }
}
