import Localization

/// Picks the reader's language and puts its translator and templates into the request context.
///
/// The choice, first match wins: `?lang=de` on a GET (the switcher's links: remembered in a
/// cookie, then a redirect to the same address without it), the cookie, `Accept-Language`,
/// the fallback. The switch is a plain link rather than a form because it changes nothing but
/// a preference, needs no session, and works without JavaScript; a forged link can at most
/// change someone's language.
public struct LanguageMiddleware: Middleware {
    /// The cookie remembering a choice. Site and provider share it on purpose: a person who
    /// picked German on one should not meet English on the other.
    public static let cookieName = "latchkey_language"
    /// The query parameter the switcher's links carry.
    public static let parameter = "lang"

    private let templates: LocalizedTemplates
    private let secure: Bool

    /// Chooses among `templates`' languages; `secure` marks the cookie `Secure` (HTTPS sites).
    public init(templates: LocalizedTemplates, secure: Bool) {
        self.templates = templates
        self.secure = secure
    }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        let translations = templates.translations
        if request.method == .get || request.method == .head, let query = request.head.query,
           let asked = Self.parameterValue(in: query) {
            // A code we do not speak is ignored, not an error: an old bookmark stays usable.
            if let translator = translations.translator(asked) {
                return switchResponse(to: translator.language, request: request, query: query)
            }
        }
        let language = Cookies.value(named: Self.cookieName, inHeader: request.headers["Cookie"]).flatMap { translations.translator($0)?.language }
            ?? request.headers["Accept-Language"].flatMap { translations.negotiate($0[...]) }
            ?? translations.fallback
        context.translator = translations.translator(language.code) ?? .english
        context.templates = templates.library(language)
        context[LanguageSwitchKey.self] = LanguageSwitch(current: language, all: translations.languages,
                                                        path: request.head.path, query: request.head.query)
        var response = try await next.respond(to: request, context: context)
        if response.headers["Content-Type"]?.hasPrefix("text/html") ?? false {
            response.headers.set("Content-Language", language.code)
            response.headers.add("Vary", "Accept-Language, Cookie")
        }
        return response
    }

    private func switchResponse(to language: Language, request: Request, query: Substring) -> Response {
        let rest = LanguageSwitch.removingParameter(from: query)
        // `//host?lang=de` must not redirect to another host.
        let path = LocalRedirect.path(String(request.head.path)) ?? "/"
        var response = Response(status: .seeOther, headers: ["Location": path + (rest.isEmpty ? "" : "?" + rest),
                                                             "Cache-Control": "no-store"])
        response.setCookie(Cookie(name: Self.cookieName, value: language.code, maxAge: 365 * 86_400, secure: secure))
        return response
    }

    /// The value of `lang=` in a query string, if present.
    static func parameterValue(in query: Substring) -> String? {
        for pair in query.split(separator: "&") where pair.hasPrefix(parameter + "=") {
            let value = pair.dropFirst(parameter.count + 1)
            guard value.count <= 8 else { return nil }
            return String(value)
        }
        return nil
    }
}

/// What the language switcher needs: the current language and, for each language, the address
/// that switches to it from this page.
public struct LanguageSwitch: Sendable {
    /// The language this page is in.
    public let current: Language
    /// Every language, switcher order.
    public let all: [Language]
    let path: Substring
    let query: Substring?

    /// The link that shows this same page in `language`.
    public func href(_ language: Language) -> String {
        let rest = query.map(Self.removingParameter) ?? ""
        return String(path) + "?" + (rest.isEmpty ? "" : rest + "&") + LanguageMiddleware.parameter + "=" + language.code
    }

    static func removingParameter(from query: Substring) -> String {
        query.split(separator: "&").filter { !$0.hasPrefix(LanguageMiddleware.parameter + "=") }.joined(separator: "&")
    }
}

/// Where `LanguageMiddleware` leaves the ``LanguageSwitch`` for pages.
public enum LanguageSwitchKey: ContextKey {
    public typealias Value = LanguageSwitch
}
