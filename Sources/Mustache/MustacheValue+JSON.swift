import Foundation

extension MustacheValue {
    /// Converts `JSONSerialization` output (`NSNull`, `String`, `NSNumber`, arrays, string-keyed
    /// dictionaries); anything else becomes ``MustacheValue/null``.
    ///
    /// Numbers keep their JSON kind: `true`/`false` become booleans, integers stay integers and
    /// numbers written with a fraction or exponent become doubles.
    public init(jsonObject: Any) {
        switch jsonObject {
        case let text as String:
            self = .string(text)
        case let number as NSNumber:
            self = Self.converting(number)
        case let array as [Any]:
            self = .list(array.map(MustacheValue.init(jsonObject:)))
        case let dictionary as [String: Any]:
            self = dictionary.mapValues(MustacheValue.init(jsonObject:)).mustacheValue
        default:
            self = .null
        }
    }

    /// Parses JSON text into a value (see ``init(jsonObject:)``).
    public init(json: Data) throws {
        self.init(jsonObject: try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]))
    }

    private static func converting(_ number: NSNumber) -> MustacheValue {
        // Both Darwin and swift-corelibs report JSON booleans as "c" and fractions as "d"/"f".
        switch number.objCType.pointee {
        case CChar(UInt8(ascii: "c")), CChar(UInt8(ascii: "B")): .bool(number.boolValue)
        case CChar(UInt8(ascii: "d")), CChar(UInt8(ascii: "f")): .double(number.doubleValue)
        default: .int(number.intValue)
        }
    }
}
