import Localization
import Mustache

/// The application's templates, parsed once per language, with the translations they came from.
public struct LocalizedTemplates: Sendable {
    /// The languages and their catalogs.
    public let translations: Translations
    private let libraries: [String: TemplateLibrary]

    init(translations: Translations, libraries: [String: TemplateLibrary]) {
        self.translations = translations
        self.libraries = libraries
    }

    /// The templates in the fallback language.
    public var fallback: TemplateLibrary { libraries[translations.fallback.code] ?? TemplateLibrary([]) }

    /// The templates in `language`, or in the fallback language.
    public func library(_ language: Language) -> TemplateLibrary {
        libraries[language.code] ?? fallback
    }
}
