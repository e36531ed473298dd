/// A template that could not be parsed, with the place it went wrong.
///
/// Its description reads like a compiler diagnostic:
/// `site/layout.mustache:12:5: unclosed section "items"`.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// A tag's opening delimiter has no closing delimiter after it.
        case unclosedTag
        /// A tag has no name, like `{{}}` or `{{#}}`.
        case emptyTag
        /// A tag's name contains whitespace.
        case invalidName(String)
        /// A set-delimiter tag is not two whitespace-separated delimiters without `=`.
        case invalidDelimiters(String)
        /// A `{{#name}}` or `{{^name}}` section is never closed.
        case unclosedSection(String)
        /// A `{{<name}}` parent is never closed.
        case unclosedParent(String)
        /// A `{{$name}}` block is never closed.
        case unclosedBlock(String)
        /// `{{/found}}` closes something other than the innermost open `expected`.
        case mismatchedClose(expected: String, found: String)
        /// `{{/name}}` with nothing open.
        case unexpectedClose(String)
    }

    /// The template's name as given to the parser (for files: the path relative to the library).
    public var template: String
    /// The 1-based line of the offending tag.
    public let line: Int
    /// The 1-based column (in characters) of the offending tag's opening delimiter.
    public let column: Int
    /// What went wrong.
    public let reason: Reason

    /// Creates an error; the parser is the only ordinary source of these.
    public init(template: String, line: Int, column: Int, reason: Reason) {
        self.template = template
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `name:line:column: message`.
    public var description: String {
        "\(template.isEmpty ? "<template>" : template):\(line):\(column): \(reason)"
    }
}

extension ParseError.Reason: CustomStringConvertible {
    /// A short human-readable message.
    public var description: String {
        switch self {
        case .unclosedTag: "unclosed tag"
        case .emptyTag: "empty tag"
        case .invalidName(let name): "invalid tag name \"\(name)\""
        case .invalidDelimiters(let content): "invalid set-delimiter tag \"\(content)\""
        case .unclosedSection(let name): "unclosed section \"\(name)\""
        case .unclosedParent(let name): "unclosed parent \"\(name)\""
        case .unclosedBlock(let name): "unclosed block \"\(name)\""
        case .mismatchedClose(let expected, let found): "closing \"\(found)\" while \"\(expected)\" is open"
        case .unexpectedClose(let name): "unexpected close \"\(name)\""
        }
    }
}
