import Foundation

/// Every language the apps speak, loaded once at start-up from `<directory>/<code>/*.po`.
public struct Translations: Sendable {
    /// The languages in switcher order: English first, then each catalog folder found.
    public let languages: [Language]
    /// The language for readers who ask for none we speak.
    public let fallback: Language
    private let translators: [String: Translator]

    /// English only.
    public static let englishOnly = Translations(translators: [.english], fallback: .english)

    /// Translators given directly (tests).
    public init(translators: [Translator], fallback: Language = .english) {
        languages = translators.map(\.language)
        self.fallback = fallback
        self.translators = Dictionary(translators.map { ($0.language.code, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads each folder of `directory` named after a ``Language/known`` language. A missing
    /// directory means English only; an unknown folder name or a bad file stops start-up.
    public init(directory: String) throws(CatalogError) {
        let files = FileManager.default
        guard let folders = try? files.contentsOfDirectory(atPath: directory) else {
            self = .englishOnly
            return
        }
        var translators: [Translator] = [.english]
        for code in folders.sorted() where !code.hasPrefix(".") {
            let folder = directory + "/" + code
            var isFolder: ObjCBool = false
            guard files.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { continue }
            guard let language = Language.known.first(where: { $0.code == code }), language != .english else {
                throw CatalogError(location: folder, problem: "not a language Latchkey knows (\(Language.known.map(\.code).joined(separator: ", ")))")
            }
            var catalog = Catalog()
            let names = ((try? files.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".po") }.sorted()
            for name in names {
                let path = folder + "/" + name
                guard let data = files.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw CatalogError(location: path, problem: "cannot read as UTF-8")
                }
                try catalog.add(poText: text, file: code + "/" + name)
            }
            if let count = catalog.pluralCount, count != language.plural.formCount {
                throw CatalogError(location: folder, problem: "Plural-Forms says nplurals=\(count); \(language.name) has \(language.plural.formCount)")
            }
            translators.append(Translator(language: language, catalog: catalog))
        }
        self.init(translators: translators)
    }

    /// The translator for `code`, if we speak it.
    public func translator(_ code: String) -> Translator? {
        translators[code]
    }

    /// The translator for the fallback language.
    public var fallbackTranslator: Translator { translators[fallback.code] ?? .english }

    /// The language an `Accept-Language` header prefers among ours (RFC 9110 §12.5.4, matched
    /// on the primary subtag: `de-AT` is German): the highest `q` wins, earlier on a tie;
    /// `q=0` refuses a language; `*` stands for the fallback. `nil` when nothing matches.
    public func negotiate(_ acceptLanguage: Substring) -> Language? {
        var best: (language: Language, quality: Int)?
        for item in acceptLanguage.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let rawTag = parts.first?.trimmingSpaces(), !rawTag.isEmpty, rawTag.count <= 35 else { continue }
            var quality = 1_000
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingSpaces()
                if pair.hasPrefix("q=") || pair.hasPrefix("Q="), let value = Self.quality(pair.dropFirst(2)) { quality = value }
            }
            guard quality > 0 else { continue }
            let primary = rawTag.prefix { $0 != "-" && $0 != "_" }.lowercased()
            let language = primary == "*" ? fallback : translators[primary]?.language
            guard let language else { continue }
            if best == nil || quality > best!.quality { best = (language, quality) }
        }
        return best?.language
    }

    /// A `q` value in thousandths (`0.8` is 800); `nil` when malformed.
    private static func quality(_ text: Substring) -> Int? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, whole == "0" || whole == "1" else { return nil }
        var thousandths = whole == "1" ? 1_000 : 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard fraction.count <= 3, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let padded = fraction + String(repeating: "0", count: 3 - fraction.count)
            guard let value = Int(padded), whole == "0" || value == 0 else { return nil }
            thousandths += value
        }
        return thousandths
    }
}
