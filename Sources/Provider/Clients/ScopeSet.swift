/// A set of OAuth scopes (RFC 6749 §3.3), kept sorted so stored and compared forms agree.
public struct ScopeSet: Sendable, Equatable, CustomStringConvertible {
    /// The scopes the provider itself understands; clients may be registered with others too
    /// (for their own APIs), which the provider passes through without meaning.
    public static let standard: [String] = ["openid", "profile", "email"]

    /// The scopes, sorted and without repeats.
    public let values: [String]

    /// Parses a space-delimited scope string; nil when a token has a character RFC 6749 §3.3
    /// forbids (controls, space within a token, `"` or `\`).
    public init?(parsing text: String) {
        var found = Set<String>()
        for token in text.spaceSeparated {
            guard token.utf8.allSatisfy({ $0 == 0x21 || (0x23...0x5B).contains($0) || (0x5D...0x7E).contains($0) }) else { return nil }
            found.insert(String(token))
        }
        values = found.sorted()
    }

    /// Scopes from our own storage, already checked when written.
    init(trusted text: String) {
        values = Set(text.spaceSeparated.map(String.init)).sorted()
    }

    /// Scopes from a list.
    public init(_ scopes: some Sequence<String>) {
        values = Set(scopes).sorted()
    }

    /// Whether there is no scope at all.
    public var isEmpty: Bool { values.isEmpty }

    /// Whether `scope` is one of these.
    public func contains(_ scope: String) -> Bool { values.contains(scope) }

    /// Whether every scope here is also in `other`.
    public func isSubset(of other: ScopeSet) -> Bool { Set(values).isSubset(of: other.values) }

    /// The scopes in either set.
    public func union(_ other: ScopeSet) -> ScopeSet { ScopeSet(values + other.values) }

    /// The space-delimited form used on the wire and in the database.
    public var description: String { values.joined(separator: " ") }
}
