/// Base64 with the URL-safe alphabet (RFC 4648 §5), as used by JOSE, cookies and tokens.
public enum Base64URL {
    /// Encodes without padding.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Base64Codec.url.encode(bytes, padding: false)
    }

    /// Decodes with or without padding; nil on any character outside the alphabet.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        Base64Codec.url.decode(string)
    }
}

/// Base64 with the standard alphabet (RFC 4648 §4), as used by HTTP Basic authentication.
public enum Base64 {
    /// Encodes with or without `=` padding.
    public static func encode(_ bytes: some Sequence<UInt8>, padding: Bool = true) -> String {
        Base64Codec.standard.encode(bytes, padding: padding)
    }

    /// Decodes with or without padding; nil on any character outside the alphabet.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        Base64Codec.standard.decode(string)
    }
}

/// One base64 alphabet with a reverse table; strict: no whitespace, canonical trailing bits only.
struct Base64Codec: Sendable {
    static let standard = Base64Codec(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8))
    static let url = Base64Codec(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8))

    private static let invalid: UInt8 = 0xFF
    private let alphabet: [UInt8]
    private let reverse: [UInt8]

    private init(_ alphabet: [UInt8]) {
        self.alphabet = alphabet
        var reverse = [UInt8](repeating: Self.invalid, count: 256)
        for (index, character) in alphabet.enumerated() { reverse[Int(character)] = UInt8(index) }
        self.reverse = reverse
    }

    func encode(_ bytes: some Sequence<UInt8>, padding: Bool) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let chunk = UInt32(input[index]) << 16
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            if padding { output.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")]) }
        case 2:
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            if padding { output.append(UInt8(ascii: "=")) }
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    func decode(_ string: some StringProtocol) -> [UInt8]? {
        var input = Array(string.utf8)
        if input.last == UInt8(ascii: "=") {
            guard input.count % 4 == 0 else { return nil }
            input.removeLast()
            if input.last == UInt8(ascii: "=") { input.removeLast() }
        }
        guard input.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in input {
            let value = reverse[Int(character)]
            guard value != Self.invalid else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Leftover bits must be zero, so every byte string has exactly one encoding.
        guard accumulator == 0 else { return nil }
        return output
    }
}
