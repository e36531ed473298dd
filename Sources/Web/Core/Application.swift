import Localization
import Mustache

/// What a server serves: the responder chain plus what every request's context needs (logger,
/// templates). Built by one application factory, which `main` and the tests both call, so a
/// test exercises exactly what production runs.
public struct Application: Sendable {
    /// The full chain: application middleware around the router.
    public let responder: any Responder
    /// Parsed templates for `View` responses.
    public let templates: TemplateLibrary?
    /// The base logger; each request gets a copy tagged with its id.
    public let logger: Logger
    /// How errors become HTTP errors (the app installs its domain's mapping).
    public let errors: ErrorMapping

    /// An application from its parts.
    public init(responder: any Responder, templates: TemplateLibrary? = nil, logger: Logger = Logger(),
                errors: ErrorMapping = ErrorMapping()) {
        self.responder = responder
        self.templates = templates
        self.logger = logger
        self.errors = errors
    }

    /// Answers one request. Errors that escape every middleware become plain responses here,
    /// through the same mapping as everywhere else (which logs what is not a client error).
    public func respond(to request: Request, requestID: String) async -> Response {
        let context = RequestContext(requestID: requestID, logger: logger.with("request_id", requestID), templates: templates, errors: errors)
        do {
            return try await responder.respond(to: request, context: context)
        } catch {
            let failure = context.httpError(for: error)
            var response = Response(status: failure.status, contentType: "text/plain; charset=utf-8", text: failure.message + "\n")
            for field in failure.headers { response.headers.add(field.name, field.value) }
            return response
        }
    }

    /// Parses every template under `directory` once, at start-up, and checks that `required`
    /// ones (the layout, the error page) exist: without them every page would be a bare 500,
    /// so a wrong `TEMPLATES_DIR` must stop start-up instead.
    public static func loadTemplates(directory: String, required: [String]) throws(StartupError) -> TemplateLibrary {
        try loadLocalizedTemplates(directory: directory, required: required, languages: .englishOnly).fallback
    }

    /// Reads the catalogs under `directory/locales`, then parses every template under
    /// `directory` once per language with its marked text translated (see
    /// `TranslationMarks`), so rendering a page costs the same in every language.
    public static func loadLocalizedTemplates(directory: String, required: [String]) throws(StartupError) -> LocalizedTemplates {
        let translations: Translations
        do {
            translations = try Translations(directory: directory + "/locales")
        } catch {
            throw .catalogs("\(error)")
        }
        return try loadLocalizedTemplates(directory: directory, required: required, languages: translations)
    }

    private static func loadLocalizedTemplates(
        directory: String, required: [String], languages: Translations
    ) throws(StartupError) -> LocalizedTemplates {
        var libraries: [String: TemplateLibrary] = [:]
        do {
            let sources = try TemplateLibrary.sources(directory: directory)
            for language in languages.languages {
                guard let translator = languages.translator(language.code) else { continue }
                let localized = try sources.map { source in
                    var copy = source
                    copy.text = try translator.localizeTemplate(source.text, name: source.file)
                    return copy
                }
                libraries[language.code] = try TemplateLibrary(sources: localized)
            }
        } catch {
            throw .templates("\(error)")
        }
        let templates = LocalizedTemplates(translations: languages, libraries: libraries)
        for name in required where templates.fallback[name] == nil {
            throw .templates("\(directory)/\(name).mustache not found (check TEMPLATES_DIR)")
        }
        return templates
    }

    /// Why an application could not be built at start-up.
    public enum StartupError: Error, CustomStringConvertible {
        case templates(String)
        case catalogs(String)

        public var description: String {
            switch self {
            case .templates(let detail): "cannot load templates: \(detail)"
            case .catalogs(let detail): "cannot load message catalogs: \(detail)"
            }
        }
    }
}
