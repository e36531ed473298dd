/// How pages shorten values that would not fit a table cell.
enum Display {
    /// A user agent cut at a word boundary near 80 characters, with an ellipsis.
    static func shortBrowser(_ agent: String) -> String {
        guard agent.count > 80 else { return agent }
        let cut = agent.prefix(80)
        let word = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return word + "…"
    }
}
