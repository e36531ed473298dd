// Translating templates once, at start-up, instead of on every render.
//
// Text to translate is marked `{{#_}}Sign in{{/_}}`: a section named `_`, so a template stays
// valid Mustache. Before parsing, each marked span is replaced by its translation, giving one
// parsed template library per language; rendering then costs exactly what it did before
// there were languages. The span is Mustache source, so a message may hold `{{username}}` or
// a link, and a translation may move them: `Angemeldet als <strong>{{username}}</strong>`.

/// Where a template's marked text is malformed.
public struct TemplateMarkupError: Error, Sendable, Equatable, CustomStringConvertible {
    public let template: String
    public let problem: String

    public var description: String { "\(template): \(problem)" }
}

/// The opening and closing marks around translatable text in templates.
public enum TranslationMarks {
    public static let open = "{{#_}}"
    public static let close = "{{/_}}"

    /// The `msgid` of a marked span: its source with runs of white space (line breaks and the
    /// indentation after them included) made single spaces and the ends trimmed, so re-indenting
    /// a template does not change what translators see.
    public static func messageID(_ span: Substring) -> String {
        var result = ""
        var pendingSpace = false
        for character in span {
            if character == " " || character == "\n" || character == "\t" || character == "\r" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    /// Every marked span's `msgid`, in order (what the catalog check and extraction read).
    public static func messageIDs(in source: String, template: String) throws(TemplateMarkupError) -> [String] {
        var ids: [String] = []
        _ = try replacingSpans(in: source, template: template) { span in
            ids.append(messageID(span))
            return ""
        }
        return ids
    }

    /// `source` with each marked span replaced by `replace(span)`.
    static func replacingSpans(
        in source: String, template: String, _ replace: (Substring) -> String
    ) throws(TemplateMarkupError) -> String {
        var result = ""
        var rest = source[...]
        while let open = rest.range(of: Self.open) {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: Self.close) else {
                throw TemplateMarkupError(template: template, problem: "\(Self.open) without \(Self.close)")
            }
            let span = rest[open.upperBound..<close.lowerBound]
            if span.contains(Self.open) {
                throw TemplateMarkupError(template: template, problem: "\(Self.open) inside another: \(span.prefix(60))")
            }
            result += replace(span)
            rest = rest[close.upperBound...]
        }
        if rest.contains(Self.close) {
            throw TemplateMarkupError(template: template, problem: "\(Self.close) without \(Self.open)")
        }
        return result + rest
    }
}

extension Translator {
    /// `source` with every marked span translated (English keeps the span as written).
    public func localizeTemplate(_ source: String, name: String) throws(TemplateMarkupError) -> String {
        guard source.contains(TranslationMarks.open) || source.contains(TranslationMarks.close) else { return source }
        return try TranslationMarks.replacingSpans(in: source, template: name) { span in
            guard language != .english else { return String(span) }
            return catalog.entry(TranslationMarks.messageID(span))?.forms.first ?? String(span)
        }
    }
}
