extension HTTPSyntax {
    /// Whether `text` is `uri-host [ ":" port ]` (RFC 3986 §3.2.2–3.2.3), the only form a Host
    /// field value or an absolute-form target's authority may take (RFC 9110 §7.2 makes anything
    /// else a 400). Userinfo is excluded; empty text passes (an empty Host is allowed).
    static func isAuthority(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        if index < text.count && text[index] == openBracket {
            // IP-literal: IPv6 or IPvFuture between brackets.
            index += 1
            while index < text.count && text[index] != closeBracket {
                guard isHostByte(text[index]) || text[index] == colon else { return false }
                index += 1
            }
            guard index < text.count else { return false }
            index += 1
        } else {
            // reg-name or IPv4 address: unreserved, sub-delims and complete %XX escapes.
            while index < text.count && text[index] != colon {
                if text[index] == percent {
                    guard index + 2 < text.count, hexValue(text[index + 1]) != nil, hexValue(text[index + 2]) != nil else {
                        return false
                    }
                    index += 3
                    continue
                }
                guard isHostByte(text[index]) else { return false }
                index += 1
            }
        }
        guard index < text.count else { return true }
        guard text[index] == colon else { return false }
        for byte in UnsafeBufferPointer(rebasing: text[(index + 1)...]) where !(0x30...0x39).contains(byte) {
            return false
        }
        return true
    }

    private static let openBracket: UInt8 = 0x5B
    private static let closeBracket: UInt8 = 0x5D
    private static let percent: UInt8 = 0x25

    /// `unreserved / sub-delims` (RFC 3986 §2.2–2.3): letters, digits and `-._~!$&'()*+,;=`.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
             UInt8(ascii: "="): true
        default: false
        }
    }
}
