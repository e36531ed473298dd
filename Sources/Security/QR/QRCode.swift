/// A QR code (ISO/IEC 18004) for a short byte string such as an `otpauth://` URI: byte mode,
/// error correction level M, versions 1 to 10 (up to 213 bytes), mask chosen by the standard's
/// penalty rules. It lives in Security only because TOTP enrolment is its one user; it has no
/// secrets of its own, but the URI it draws has one, which is why we draw it ourselves rather
/// than send the URI to a QR web service.
public struct QRCode: Sendable, Equatable {
    /// The smallest and largest versions we make.
    public static let versions = 1...10

    /// The version (1...10); the symbol is 17 + 4 × version modules wide.
    public let version: Int
    /// The mask pattern applied (0...7).
    public let mask: Int
    /// Modules per side, without the quiet zone.
    public let size: Int
    /// Row-major, `true` for dark.
    let modules: [Bool]

    /// Whether the module at column `x`, row `y` is dark.
    public subscript(x x: Int, y y: Int) -> Bool {
        modules[y * size + x]
    }

    /// Encodes `data` in the smallest version that holds it; `mask` forces a mask pattern
    /// (tests compare against reference encoders that way), nil picks the lowest-penalty one.
    public static func encode(_ data: [UInt8], mask: Int? = nil) throws(QRCodeError) -> QRCode {
        guard let version = versions.first(where: { data.count <= byteCapacity(version: $0) }) else {
            throw .dataTooLong(data.count)
        }
        if let mask, !(0..<8).contains(mask) { throw .invalidMask(mask) }
        let codewords = QRBlocks.interleaved(data: dataCodewords(data, version: version), version: version)
        var symbol = QRMatrix(version: version)
        symbol.drawFunctionPatterns()
        symbol.drawCodewords(codewords)
        var best = symbol.masked(mask ?? 0), chosen = mask ?? 0
        if mask == nil {
            // The lowest penalty wins; on a tie, the lower mask number.
            var lowest = best.penalty
            for candidate in 1..<8 {
                let masked = symbol.masked(candidate), penalty = masked.penalty
                if penalty < lowest { (best, chosen, lowest) = (masked, candidate, penalty) }
            }
        }
        return QRCode(version: version, mask: chosen, size: best.size, modules: best.modules)
    }

    /// Encodes the UTF-8 bytes of `text`.
    public static func encode(_ text: String, mask: Int? = nil) throws(QRCodeError) -> QRCode {
        try encode(Array(text.utf8), mask: mask)
    }

    /// How many bytes `version` holds in byte mode at level M.
    public static func byteCapacity(version: Int) -> Int {
        (QRBlocks.dataCodewords(version: version) * 8 - 4 - countBits(version: version)) / 8
    }

    /// The character count indicator's width in byte mode.
    static func countBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    /// The data codewords: mode, count, bytes, terminator, then pad bytes to fill the version.
    static func dataCodewords(_ data: [UInt8], version: Int) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(UInt32(data.count), count: countBits(version: version))
        for byte in data { bits.append(UInt32(byte), count: 8) }
        let capacity = QRBlocks.dataCodewords(version: version) * 8
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < capacity / 8 {
            codewords.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return codewords
    }

    /// Rows of `0` and `1`, one line per row, as the test fixtures store them.
    public var text: String {
        (0..<size).map { y in String((0..<size).map { self[x: $0, y: y] ? "1" : "0" }) }.joined(separator: "\n")
    }

    /// An SVG drawing: one path of unit squares, scaled to `moduleSize` pixels, with the quiet
    /// zone of `border` modules the standard asks for (4). No script, no external reference, so
    /// it can be inlined in a page under our Content-Security-Policy.
    /// `label` names the drawing for screen readers (an `img` without a name is an accessibility
    /// failure); it is escaped here.
    public func svg(moduleSize: Int = 4, border: Int = 4, label: String = "QR code") -> String {
        let extent = size + 2 * border, pixels = extent * moduleSize
        var path = ""
        for y in 0..<size {
            for x in 0..<size where self[x: x, y: y] { path += "M\(x + border),\(y + border)h1v1h-1z" }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(pixels)\" height=\"\(pixels)\" "
            + "viewBox=\"0 0 \(extent) \(extent)\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"\(Self.escaped(label))\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }
}

extension QRCode {
    fileprivate static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Why a QR code could not be made.
public enum QRCodeError: Error, Sendable, Equatable {
    /// More bytes than version 10 holds at level M (213).
    case dataTooLong(Int)
    /// A forced mask outside 0...7.
    case invalidMask(Int)
}

/// Bits appended most significant first.
struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: UInt32, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append(value >> UInt32(shift) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<min(start + 8, bits.count)].enumerated().reduce(UInt8(0)) { $0 | ($1.element ? 0x80 >> UInt8($1.offset) : 0) }
        }
    }
}
