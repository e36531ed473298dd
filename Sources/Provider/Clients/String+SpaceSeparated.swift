extension String {
    /// The words of a space-separated list (scopes, grant types, redirect URIs), split as bytes:
    /// every token request reads a client's lists, and splitting Characters (grapheme breaking)
    /// cost more than the query that read them. The words are ASCII by the rules that admit them.
    var spaceSeparated: [Substring] {
        utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true).map { Substring($0) }
    }
}
