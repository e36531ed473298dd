import Security

/// RFC 7636 checks, written once for every fake that verifies PKCE.
enum PKCE {
    /// Whether `verifier` is well formed (43 to 128 unreserved characters) and matches
    /// `challenge` under S256. Only S256 is accepted: no fake here advertises `plain`.
    static func verify(verifier: String, challenge: String) -> Bool {
        let bytes = Array(verifier.utf8)
        guard (43...128).contains(bytes.count), bytes.allSatisfy(isUnreserved) else { return false }
        return constantTimeEquals(Array(Base64URL.encode(SHA256.hash(bytes)).utf8), Array(challenge.utf8))
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
