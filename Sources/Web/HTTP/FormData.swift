/// Decoded `application/x-www-form-urlencoded` pairs (a query string or a form body).
/// Order and repeated keys are kept: `a=1&a=2` has two values for `a`.
public struct FormData: Sendable, Sequence {
    /// The decoded pairs in order.
    public private(set) var pairs: [(name: String, value: String)]

    /// An empty form.
    public init() { pairs = [] }

    /// Pairs given directly (tests, redirects).
    public init(_ pairs: [(String, String)]) { self.pairs = pairs.map { (name: $0.0, value: $0.1) } }

    /// Decodes `a=1&b=x+y&c=%2F`: `+` is a space; nil when a percent-escape is malformed or
    /// decodes to invalid UTF-8. Empty segments (`a=1&&b=2`) are skipped; a key without `=` has
    /// an empty value.
    public init?(urlEncoded text: Substring) {
        pairs = []
        // Split as bytes: `&` and `=` are ASCII, and splitting Characters (grapheme breaking)
        // cost more than decoding the whole form.
        for segment in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = segment.firstIndex(of: UInt8(ascii: "="))
            guard let name = FormData.decode(Substring(segment[..<(equals ?? segment.endIndex)])),
                  let value = equals.map({ FormData.decode(Substring(segment[segment.index(after: $0)...])) }) ?? "" else { return nil }
            pairs.append((name: name, value: value))
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }

    /// The first value for `name`.
    public subscript(name: String) -> String? {
        for pair in pairs where pair.name == name { return pair.value }
        return nil
    }

    /// Every value for `name`, in order.
    public func all(_ name: String) -> [String] { pairs.compactMap { $0.name == name ? $0.value : nil } }

    /// Appends a pair.
    public mutating func append(_ name: String, _ value: String) { pairs.append((name: name, value: value)) }

    /// Encodes the pairs as `application/x-www-form-urlencoded` (space as `+`).
    public var encoded: String {
        pairs.map { FormData.encode($0.name) + "=" + FormData.encode($0.value) }.joined(separator: "&")
    }

    /// Percent-decodes one component, with `+` as space; nil for a malformed escape or invalid UTF-8.
    public static func decode(_ text: Substring) -> String? {
        // Most names and values have nothing to decode: a copy, without the byte array.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters; space becomes `+`.
    public static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case 0x20: out.append(UInt8(ascii: "+"))
            default: out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Percent-decodes a path segment (where `+` stays a plus); nil on a malformed escape.
func percentDecodePath(_ text: Substring) -> String? {
    guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
    var bytes: [UInt8] = []
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        if byte == UInt8(ascii: "%") {
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        } else {
            bytes.append(byte)
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
