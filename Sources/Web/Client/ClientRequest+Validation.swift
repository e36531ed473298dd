extension ClientRequest {
    /// Refuses, before libcurl sees them, requests that could smuggle bytes onto the wire or reach
    /// a scheme other than HTTP(S): libcurl takes C strings, so a NUL would silently truncate a
    /// value and a CR or LF in a header would start a new one.
    func validate() throws(ClientError) {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { throw .invalidURL }
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw .invalidURL }
        guard Self.isToken(method) else { throw .transport("invalid request method") }
        for field in headers {
            guard Self.isToken(field.name) else { throw .transport("invalid header name") }
            guard field.value.utf8.allSatisfy({ $0 != 0x0D && $0 != 0x0A && $0 != 0x00 }) else {
                throw .transport("header value contains CR, LF or NUL")
            }
        }
    }

    /// RFC 9110 `token`: the only shape a method or a field name may take.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }
}
