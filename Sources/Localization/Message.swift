/// Text for people, not yet in any language: what code below the web layer returns (a form
/// error, a notice) so that the page showing it can translate it into the reader's language.
///
/// `id` is the English text, with `{{name}}` where an argument goes; an argument is plain text
/// (the page escapes the result). The string literal is what `scripts/messages` extracts, so
/// write it literally, never interpolated.
public struct Message: Sendable, Hashable, CustomStringConvertible {
    /// The English text (`msgid`).
    public let id: String
    /// The English plural (`msgid_plural`), for a message that counts something.
    public let plural: String?
    /// The number that picks the plural form; also available to the text as `{{count}}`.
    public let count: Int?
    /// Values for the `{{name}}` placeholders.
    public let arguments: [String: String]

    /// A message with no plural.
    public init(_ id: String, _ arguments: [String: String] = [:]) {
        self.id = id
        plural = nil
        count = nil
        self.arguments = arguments
    }

    /// A message that counts `count` things: `one` is the English for exactly one.
    public init(one: String, other: String, count: Int, _ arguments: [String: String] = [:]) {
        id = one
        plural = other
        self.count = count
        self.arguments = arguments
    }

    /// The message in English (for logs and for callers that have no reader).
    public var description: String { Translator.english.text(self) }
}
