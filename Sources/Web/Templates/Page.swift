import Localization
import Mustache

/// What every page's layout needs (title, the signed-in user, flash messages, the CSRF token)
/// merged with the page's own values. The CSRF token is only minted if the template asks for
/// it, so pages without forms do not create a session for anonymous visitors. Requires
/// `SessionMiddleware`.
public struct Page: MustacheObject, @unchecked Sendable {
    // The session and context belong to the request being rendered; the page is rendered within
    // that request's task and then dropped.
    private let context: RequestContext
    private let values: KeyTable
    private let flashes: MustacheValue
    private let title: String
    private let currentUser: MustacheValue

    /// A page titled `title`; `currentUser` is the signed-in user as the layout shows them.
    public init(_ context: RequestContext, title: String, currentUser: MustacheValue, _ values: [String: MustacheValue] = [:]) {
        self.context = context
        self.values = KeyTable(values)
        self.title = title
        self.currentUser = currentUser
        flashes = .list(context.session.takeFlashes().map { ["kind": .string($0.kind), "message": .string($0.message)] })
    }

    public func value(forKey key: String) -> MustacheValue? {
        if let value = values.value(forKey: key) { return value }
        switch key {
        case "title": return .string(title)
        case "currentUser": return currentUser
        case "flashes": return flashes
        case "csrfToken": return .string(context.session.csrfToken)
        case "requestID": return .string(context.requestID)
        // The page's language, for `<html lang>`, and the switcher's links.
        case "lang": return .string(context.translator.language.code)
        case "languages": return languages
        default: return nil
        }
    }

    /// `[{code, name, href, current}]` for the language switcher; empty with one language.
    private var languages: MustacheValue {
        guard let choice = context[LanguageSwitchKey.self], choice.all.count > 1 else { return .list([]) }
        return .list(choice.all.map { language in
            ["code": .string(language.code), "name": .string(language.name), "href": .string(choice.href(language)),
             "current": .bool(language == choice.current)]
        })
    }

    /// The page as a view of `template`.
    public func view(_ template: String, status: HTTPStatus = .ok) -> View {
        View(template, MustacheValue(self), status: status)
    }
}
