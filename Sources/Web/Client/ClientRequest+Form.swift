extension ClientRequest {
    /// `name=value` pairs joined by `&`, each side percent-encoded: RFC 3986 unreserved characters
    /// stay, every other byte of the UTF-8 becomes `%XX`, a space included.
    ///
    /// A space is always `%20`, never `+`: every form decoder accepts `%20`, while a literal `+`
    /// in a secret would otherwise be ambiguous to a reader of the wire bytes.
    public static func formEncoded(_ fields: [(String, String)]) -> String {
        fields.map { percentEncoded($0.0) + "=" + percentEncoded($0.1) }.joined(separator: "&")
    }

    /// `text` with every byte outside the RFC 3986 unreserved set written as `%XX` (upper-case hex).
    public static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
