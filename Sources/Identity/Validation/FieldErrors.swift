/// Field-by-field problems with a submitted form (or command-line options), shown next to the
/// fields they concern. Shared by the site and the provider; `IdentityWeb` renders them.
public struct FieldErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, by field name.
    public private(set) var messages: [String: String] = [:]

    /// No problems yet.
    public init() {}

    /// One problem with one field.
    public init(_ field: String, _ message: String) { messages[field] = message }

    /// Whether nothing is wrong.
    public var isEmpty: Bool { messages.isEmpty }

    public var description: String { messages.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") }

    /// The problem with `field`; setting keeps the first problem found.
    public subscript(field: String) -> String? {
        get { messages[field] }
        set { if messages[field] == nil { messages[field] = newValue } }
    }
}
