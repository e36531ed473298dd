/// One language's view of the catalogs: turns English `msgid`s into that language, and prints
/// numbers and dates the way its readers write them. Built once at start-up, shared by requests.
public struct Translator: Sendable {
    /// The language this translator writes.
    public let language: Language
    let catalog: Catalog
    private let groupSeparator: String
    private let months: [String]
    private let datePattern: [PatternPart]
    private let dateTimePattern: [PatternPart]

    /// English, the language of the `msgid`s: every lookup returns its input.
    public static let english = Translator(language: .english, catalog: Catalog())

    /// A translator for `language` over `catalog`.
    public init(language: Language, catalog: Catalog) {
        self.language = language
        self.catalog = catalog
        groupSeparator = catalog.entry(",", context: "thousands separator")?.forms.first ?? ","
        months = Self.monthIDs.map { catalog.entry($0, context: "month")?.forms.first ?? $0 }
        // Dates are printed several times per page: their patterns are split once, here.
        datePattern = PatternPart.split(catalog.entry(Self.datePatternID, context: "date format")?.forms.first ?? Self.datePatternID)
        dateTimePattern = PatternPart.split(catalog.entry(Self.dateTimePatternID, context: "date and time format")?.forms.first
            ?? Self.dateTimePatternID)
    }

    // MARK: Text

    /// `id` in this language, `{{name}}` placeholders filled from `arguments`.
    public func text(_ id: String, _ arguments: [String: String] = [:], context: String? = nil) -> String {
        let translated = catalog.entry(id, context: context)?.forms.first ?? id
        return arguments.isEmpty ? translated : Self.fill(translated, arguments, count: nil)
    }

    /// The form of a counted message that `count` takes in this language; `{{count}}` is the
    /// number as this language prints it.
    public func plural(one: String, other: String, count: Int, _ arguments: [String: String] = [:]) -> String {
        // Untranslated, the English forms follow English's rule, whatever this language's is.
        let chosen: String
        if let entry = catalog.entry(one), entry.plural != nil {
            chosen = entry.forms[min(language.plural.form(for: count), entry.forms.count - 1)]
        } else {
            chosen = PluralRule.oneOther.form(for: count) == 0 ? one : other
        }
        return Self.fill(chosen, arguments, count: number(count))
    }

    /// A ``Message`` in this language.
    public func text(_ message: Message) -> String {
        if let plural = message.plural, let count = message.count {
            return self.plural(one: message.id, other: plural, count: count, message.arguments)
        }
        return text(message.id, message.arguments)
    }

    /// Replaces `{{name}}` with its argument (`{{count}}` with `count`); an unknown name stays
    /// as written, so a missing argument shows on the page instead of silently vanishing.
    static func fill(_ template: String, _ arguments: [String: String], count: String?) -> String {
        guard template.contains("{{") else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            if let value = name == "count" ? count ?? arguments["count"] : arguments[String(name)] {
                result += value
            } else {
                result += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    // MARK: Numbers and dates

    /// `1,234,567` in English, `1.234.567` in German.
    public func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        guard digits.count > 3 else { return value < 0 ? "-" + digits : digits }
        var result = value < 0 ? "-" : ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result += groupSeparator }
            result.append(digit)
        }
        return result
    }

    /// `3 Dec 2026` / `3. Dez. 2026` (UTC).
    public func date(_ unixSeconds: Int) -> String {
        var out = ""
        out.reserveCapacity(24)
        appendDate(CivilTime(unixSeconds), to: &out)
        return out
    }

    /// `3 Dec 2026, 14:05 UTC` / `3. Dez. 2026, 14:05 UTC`: a time on a page names its zone,
    /// since the server does not know the reader's and a bare time reads as local.
    public func dateTime(_ unixSeconds: Int) -> String {
        let civil = CivilTime(unixSeconds)
        var out = ""
        out.reserveCapacity(32)
        for part in dateTimePattern {
            switch part {
            case .text(let text): out += text
            case .field("date"): appendDate(civil, to: &out)
            case .field("time"):
                Self.appendTwoDigits(civil.secondOfDay / 3_600, to: &out)
                out += ":"
                Self.appendTwoDigits(civil.secondOfDay / 60 % 60, to: &out)
            case .field(let name): out += "{{" + name + "}}"
            }
        }
        return out
    }

    private func appendDate(_ civil: CivilTime, to out: inout String) {
        for part in datePattern {
            switch part {
            case .text(let text): out += text
            case .field("day"): out += String(civil.day)
            case .field("month"): out += months[civil.month - 1]
            case .field("year"): out += String(civil.year)
            case .field(let name): out += "{{" + name + "}}"
            }
        }
    }

    private static func appendTwoDigits(_ value: Int, to out: inout String) {
        out.unicodeScalars.append(Unicode.Scalar(UInt8(48 + value / 10 % 10)))
        out.unicodeScalars.append(Unicode.Scalar(UInt8(48 + value % 10)))
    }

    /// The English date patterns (`msgid`s, contexts `date format` and `date and time format`).
    /// `scripts/messages` knows these contexts as built in.
    static let datePatternID = "{{day}} {{month}} {{year}}"
    static let dateTimePatternID = "{{date}}, {{time}} UTC"

    /// Month abbreviations as `msgid`s, context `month`.
    static let monthIDs = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
}

/// A message pattern split at its `{{placeholders}}`.
enum PatternPart: Equatable {
    case text(String)
    case field(String)

    static func split(_ pattern: String) -> [PatternPart] {
        var parts: [PatternPart] = []
        var rest = pattern[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            parts.append(.field(String(rest[open.upperBound..<close.lowerBound].trimmingSpaces())))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }
}
