/// CSV (RFC 4180) for exports people open in spreadsheets: fields with a comma, a quote, CR or
/// LF are quoted, quotes doubled, rows end in CRLF. A field that a spreadsheet would read as a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or CR) gets a leading `'` first, so a
/// username like `=HYPERLINK(…)` stays text (OWASP's advice against CSV injection).
public enum CSV {
    /// The characters that make a spreadsheet treat a cell as a formula.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// One field, neutralised and quoted as needed.
    public static func field(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, formulaStarts.contains(Character(first)) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One row, CRLF-terminated.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}
