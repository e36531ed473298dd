// Reading PO files: a pure function from text to entries, tested without a file system.

/// Parses the subset of the PO format that catalogs use: comments (`#`, with `#, fuzzy` read),
/// `msgctxt`, `msgid`, `msgid_plural`, `msgstr` and `msgstr[n]`, each with a quoted string that
/// may continue on following lines, and the C escapes `\n \t \" \\`.
struct POParser {
    let lines: [Substring]
    let file: String

    init(text: String, file: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        self.file = file
    }

    /// Entries in file order; fuzzy and untranslated entries are skipped (the header is kept).
    func entries() throws(CatalogError) -> [Catalog.Entry] {
        var result: [Catalog.Entry] = []
        var current = Draft()
        var field: Field?
        for (offset, raw) in lines.enumerated() {
            let line = raw.trimmingSpaces()
            let location = "\(file):\(offset + 1)"
            if line.isEmpty {
                if let entry = try current.finish() { result.append(entry) }
                current = Draft()
                field = nil
                continue
            }
            if line.hasPrefix("#") {
                if line.hasPrefix("#,") && line.contains("fuzzy") { current.fuzzy = true }
                continue
            }
            if line.hasPrefix("\"") {
                guard let field else { throw CatalogError(location: location, problem: "a string outside any field") }
                current.append(try Self.unquote(line, at: location), to: field)
                continue
            }
            guard let space = line.firstIndex(of: " ") else {
                throw CatalogError(location: location, problem: "expected a keyword and a quoted string")
            }
            let keyword = line[..<space]
            let value = try Self.unquote(line[space...].trimmingSpaces(), at: location)
            let next: Field
            switch keyword {
            case "msgctxt": next = .context
            case "msgid": next = .id
            case "msgid_plural": next = .plural
            case "msgstr": next = .form(0)
            default:
                guard keyword.hasPrefix("msgstr["), keyword.hasSuffix("]"),
                      let index = Int(keyword.dropFirst(7).dropLast()), index >= 0, index < 6
                else { throw CatalogError(location: location, problem: "unknown keyword \(keyword)") }
                next = .form(index)
                current.markIndexed()
            }
            // A new msgctxt or msgid after a msgstr starts the next entry even without a blank line.
            if case .form = field, next == .context || next == .id {
                if let entry = try current.finish() { result.append(entry) }
                current = Draft()
            }
            if current.location == nil { current.location = location }
            guard current.set(value, for: next) else {
                throw CatalogError(location: location, problem: "\(keyword) given twice")
            }
            field = next
        }
        if let entry = try current.finish() { result.append(entry) }
        return result
    }

    private enum Field: Equatable {
        case context, id, plural
        case form(Int)
    }

    private struct Draft {
        var context: String?
        var id: String?
        var plural: String?
        var forms: [Int: String] = [:]
        var fuzzy = false
        var indexed = false
        var location: String?

        mutating func set(_ value: String, for field: Field) -> Bool {
            switch field {
            case .context: guard context == nil else { return false }; context = value
            case .id: guard id == nil else { return false }; id = value
            case .plural: guard plural == nil else { return false }; plural = value
            case .form(let index): guard forms[index] == nil else { return false }; forms[index] = value
            }
            return true
        }

        mutating func markIndexed() {
            indexed = true
        }

        mutating func append(_ value: String, to field: Field) {
            switch field {
            case .context: context? += value
            case .id: id? += value
            case .plural: plural? += value
            case .form(let index): forms[index]? += value
            }
        }

        /// The entry, or `nil` for nothing, a fuzzy entry or one with an empty translation.
        func finish() throws(CatalogError) -> Catalog.Entry? {
            guard let location else { return nil }
            guard let id else { throw CatalogError(location: location, problem: "an entry without msgid") }
            let count = forms.count
            if plural != nil && !indexed {
                throw CatalogError(location: location, problem: "msgid_plural needs msgstr[0], msgstr[1], ...")
            }
            guard count > 0, (0..<count).allSatisfy({ forms[$0] != nil }) else {
                throw CatalogError(location: location, problem: "msgstr missing or its forms not numbered from 0")
            }
            if plural == nil && (count != 1 || indexed) {
                throw CatalogError(location: location, problem: "msgstr[n] without msgid_plural")
            }
            let ordered = (0..<count).map { forms[$0]! }
            if !id.isEmpty && (fuzzy || ordered.contains(where: \.isEmpty)) { return nil }
            return Catalog.Entry(id: id, plural: plural, context: context, forms: ordered, location: location)
        }
    }

    /// The text of `"..."`, escapes resolved.
    static func unquote(_ quoted: Substring, at location: String) throws(CatalogError) -> String {
        guard quoted.count >= 2, quoted.first == "\"", quoted.last == "\"" else {
            throw CatalogError(location: location, problem: "expected a quoted string")
        }
        var result = ""
        var escaping = false
        for character in quoted.dropFirst().dropLast() {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "\"", "\\": result.append(character)
                default: throw CatalogError(location: location, problem: "unknown escape \\\(character)")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" {
                throw CatalogError(location: location, problem: "an unescaped quote inside a string")
            } else {
                result.append(character)
            }
        }
        guard !escaping else { throw CatalogError(location: location, problem: "a string ending in a backslash") }
        return result
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" || first == "\r" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return text
    }
}
