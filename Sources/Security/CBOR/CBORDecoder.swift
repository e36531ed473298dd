/// A strict CBOR decoder for hostile input: definite lengths only, shortest-form integers and
/// lengths, no tags, no floats, valid UTF-8, no duplicate map keys, and limits on input size,
/// nesting and item count. Every declared length is compared with what is left of the input
/// before anything is allocated, so a header claiming 2^63 bytes costs nothing. Malformed input
/// of any kind throws a `CBORError`; nothing here can trap.
///
/// Map key order is not checked: CTAP2 asks authenticators for sorted keys, but browsers and
/// platform authenticators re-encode, and nothing we verify depends on the order.
public struct CBORDecoder: Sendable {
    /// How much a decoder accepts.
    public struct Limits: Sendable {
        /// Longest input, in bytes.
        public var maxInputLength: Int
        /// Deepest nesting of arrays and maps (the outermost container is depth 1).
        public var maxDepth: Int
        /// Most items in total, containers and their contents alike.
        public var maxItems: Int

        /// Limits; the defaults are far above anything an authenticator sends.
        public init(maxInputLength: Int = 64 * 1024, maxDepth: Int = 16, maxItems: Int = 4096) {
            self.maxInputLength = maxInputLength
            self.maxDepth = maxDepth
            self.maxItems = maxItems
        }
    }

    /// The limits this decoder enforces.
    public let limits: Limits

    /// A decoder with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decodes exactly one item that fills `bytes`.
    public func decode(_ bytes: some Collection<UInt8>) throws(CBORError) -> CBORValue {
        let (value, length) = try decodePrefix(bytes)
        guard length == bytes.count else { throw .trailingBytes(at: length) }
        return value
    }

    /// Decodes the one item at the start of `bytes` and says how many bytes it took; for
    /// formats such as authenticator data, where a CBOR item is followed by more data.
    public func decodePrefix(_ bytes: some Collection<UInt8>) throws(CBORError) -> (value: CBORValue, length: Int) {
        guard bytes.count <= limits.maxInputLength else { throw .inputTooLong(length: bytes.count) }
        var reader = Reader(bytes: Array(bytes), limits: limits)
        let value = try reader.item(depth: 0)
        return (value, reader.offset)
    }
}

/// The decoding state: a cursor over the input and the running item count.
private struct Reader {
    let bytes: [UInt8]
    let limits: CBORDecoder.Limits
    var offset = 0
    var items = 0

    init(bytes: [UInt8], limits: CBORDecoder.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    var remaining: Int { bytes.count - offset }

    /// One item at `offset`; `depth` is how many containers enclose it. Recursion is bounded by
    /// `maxDepth`, so the stack cannot overflow.
    mutating func item(depth: Int) throws(CBORError) -> CBORValue {
        let start = offset
        items += 1
        guard items <= limits.maxItems else { throw .tooManyItems(at: start) }
        guard offset < bytes.count else { throw .truncated(at: start) }
        let initial = bytes[offset]
        offset += 1
        let major = initial >> 5, info = initial & 0x1F

        if major == 7 {
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 28...30: throw .reservedAdditionalInfo(at: start)
            case 31: throw .indefiniteLength(at: start)
            default: throw .unsupportedSimpleValue(at: start)
            }
        }
        if major == 6 { throw .tagNotAllowed(at: start) }
        let argument = try argument(info: info, start: start)

        switch major {
        case 0:
            return .unsigned(argument)
        case 1:
            return .negative(argument)
        case 2:
            return .bytes(try content(length: argument, start: start))
        case 3:
            let raw = try content(length: argument, start: start)
            guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(at: start) }
            return .text(text)
        case 4:
            // Every element takes at least one byte, so a count above what is left is a lie.
            guard argument <= UInt64(remaining) else { throw .lengthExceedsInput(at: start) }
            guard depth < limits.maxDepth else { throw .tooDeep(at: start) }
            var elements: [CBORValue] = []
            elements.reserveCapacity(Int(argument))
            for _ in 0..<Int(argument) { elements.append(try item(depth: depth + 1)) }
            return .array(elements)
        default: // 5, a map: every pair takes at least two bytes.
            guard argument <= UInt64(remaining / 2) else { throw .lengthExceedsInput(at: start) }
            guard depth < limits.maxDepth else { throw .tooDeep(at: start) }
            var map = CBORMap()
            var seen = Set<CBORKey>()
            for _ in 0..<Int(argument) {
                let keyStart = offset
                let keyValue = try item(depth: depth + 1)
                let key: CBORKey
                if let text = keyValue.textValue {
                    key = .text(text)
                } else if let integer = keyValue.int64Value {
                    key = .int(integer)
                } else {
                    throw .unsupportedMapKey(at: keyStart)
                }
                guard seen.insert(key).inserted else { throw .duplicateMapKey(at: keyStart) }
                map.append(key, try item(depth: depth + 1))
            }
            return .map(map)
        }
    }

    /// The integer or length that follows the initial byte, in shortest form only.
    mutating func argument(info: UInt8, start: Int) throws(CBORError) -> UInt64 {
        let width: Int
        switch info {
        case 0...23: return UInt64(info)
        case 24: width = 1
        case 25: width = 2
        case 26: width = 4
        case 27: width = 8
        case 31: throw .indefiniteLength(at: start)
        default: throw .reservedAdditionalInfo(at: start)
        }
        guard remaining >= width else { throw .truncated(at: start) }
        var value: UInt64 = 0
        for byte in bytes[offset..<offset + width] { value = value << 8 | UInt64(byte) }
        offset += width
        // The smallest value that needed this width; anything less had a shorter encoding.
        let floor: UInt64 = switch width {
        case 1: 24
        case 2: 0x100
        case 4: 0x1_0000
        default: 0x1_0000_0000
        }
        guard value >= floor else { throw .nonMinimalEncoding(at: start) }
        return value
    }

    /// The next `length` bytes of a string, once the length is known to fit.
    mutating func content(length: UInt64, start: Int) throws(CBORError) -> [UInt8] {
        guard length <= UInt64(remaining) else { throw .lengthExceedsInput(at: start) }
        let count = Int(length)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
