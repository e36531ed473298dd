/// Decides whether a `next=` value may be redirected to: only a local path may, so a link to
/// `/login?next=…` can never bounce a visitor to another site (an open redirect).
public enum LocalRedirect {
    /// `candidate` if it is a plain local path, else nil. Accepted: one leading `/` followed by
    /// printable ASCII. Refused: `//host` and `/\host` (browsers read both as another host),
    /// schemes (`javascript:`, `https:`), backslashes anywhere, control characters, whitespace,
    /// percent-encoded characters (which could decode to any of those), and very long values.
    public static func path(_ candidate: String?) -> String? {
        guard let candidate, candidate.utf8.count <= 2048, candidate.hasPrefix("/") else { return nil }
        let bytes = Array(candidate.utf8)
        if bytes.count > 1 && (bytes[1] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "\\")) { return nil }
        for byte in bytes where byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "%") {
            return nil
        }
        return candidate
    }
}
