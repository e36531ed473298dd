// Message catalogs in GNU gettext's PO format: the format translators' tools (Poedit, Weblate,
// Django's makemessages) read and write, so a translator never needs to open Swift or a template.

/// The translations of one language: English source text (the `msgid`) to translated text.
///
/// English needs no catalog: the `msgid` written in a template or in Swift *is* the English
/// text. Entries that are empty (`msgstr ""`) or marked `#, fuzzy` are not translations yet and
/// are left out, so the English shows through instead of a blank.
public struct Catalog: Sendable {
    /// One translated message: its forms in the catalog's plural order (a single form when the
    /// message has no plural).
    public struct Entry: Sendable, Equatable {
        /// The English text (`msgid`).
        public var id: String
        /// The English plural (`msgid_plural`), when the message has one.
        public var plural: String?
        /// The context (`msgctxt`) that tells two uses of the same English apart.
        public var context: String?
        /// The translations: `msgstr`, or `msgstr[0]`, `msgstr[1]`, ... for a plural.
        public var forms: [String]
        /// Where the entry was read, for messages about it (`de/site.po:120`).
        public var location: String
    }

    /// Every translated entry by ``key(_:context:)``.
    public private(set) var entries: [String: Entry] = [:]
    /// The `Plural-Forms` header's `nplurals`, when a file declared one.
    public private(set) var pluralCount: Int?

    /// An empty catalog (English).
    public init() {}

    /// The lookup key of `id` in `context`: gettext's own, the two joined by U+0004.
    public static func key(_ id: String, context: String? = nil) -> String {
        guard let context else { return id }
        return context + "\u{4}" + id
    }

    /// The entry for `id` in `context`, if translated.
    public func entry(_ id: String, context: String? = nil) -> Entry? {
        entries[Self.key(id, context: context)]
    }

    /// Adds the entries of one PO file. A message translated twice (in two files) must be
    /// translated the same way, or the catalog would depend on file order.
    public mutating func add(poText text: String, file: String) throws(CatalogError) {
        for entry in try POParser(text: text, file: file).entries() {
            if entry.id.isEmpty {
                try readHeader(entry)
                continue
            }
            let key = Self.key(entry.id, context: entry.context)
            if let earlier = entries[key], earlier.forms != entry.forms {
                throw CatalogError(location: entry.location, problem: "translated differently at \(earlier.location)")
            }
            entries[key] = entry
        }
    }

    private mutating func readHeader(_ entry: Entry) throws(CatalogError) {
        // `Plural-Forms: nplurals=2; plural=(n != 1);`: only the count is read; which form a
        // number takes comes from the language's rule (``PluralRule``), which a test holds
        // to the header's formula.
        for line in entry.forms.first?.split(separator: "\n") ?? [] where line.hasPrefix("Plural-Forms:") {
            guard let range = line.range(of: "nplurals="),
                  let count = Int(line[range.upperBound...].prefix(while: \.isNumber)), count > 0
            else { throw CatalogError(location: entry.location, problem: "unreadable Plural-Forms header") }
            if let pluralCount, pluralCount != count {
                throw CatalogError(location: entry.location, problem: "nplurals=\(count), another file says \(pluralCount)")
            }
            pluralCount = count
        }
    }
}

/// A catalog file that cannot be used, with where and why.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `file:line`.
    public let location: String
    /// What is wrong there.
    public let problem: String

    public var description: String { "\(location): \(problem)" }
}
