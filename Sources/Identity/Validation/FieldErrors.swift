import Localization

/// Field-by-field problems with a submitted form (or command-line options), shown next to the
/// fields they concern. Shared by the site and the provider; `IdentityWeb` renders them.
///
/// Each problem is a ``Message``, not yet in any language: the page showing it translates it
/// into its reader's (and the command line prints it in English, `description`).
public struct FieldErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, by field name.
    public private(set) var messages: [String: Message] = [:]

    /// No problems yet.
    public init() {}

    /// One problem with one field.
    public init(_ field: String, _ message: Message) { messages[field] = message }

    /// Whether nothing is wrong.
    public var isEmpty: Bool { messages.isEmpty }

    public var description: String { messages.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") }

    /// The problem with `field`; setting keeps the first problem found.
    public subscript(field: String) -> Message? {
        get { messages[field] }
        set { if messages[field] == nil { messages[field] = newValue } }
    }
}
