import Mustache

/// What every page's layout needs (title, the signed-in user, flash messages, the CSRF token)
/// merged with the page's own values. The CSRF token is only minted if the template asks for
/// it, so pages without forms do not create a session for anonymous visitors. Requires
/// `SessionMiddleware`.
public struct Page: MustacheObject, @unchecked Sendable {
    // The session and context belong to the request being rendered; the page is rendered within
    // that request's task and then dropped.
    private let context: RequestContext
    private let values: [String: MustacheValue]
    private let flashes: MustacheValue
    private let title: String
    private let currentUser: MustacheValue

    /// A page titled `title`; `currentUser` is the signed-in user as the layout shows them.
    public init(_ context: RequestContext, title: String, currentUser: MustacheValue, _ values: [String: MustacheValue] = [:]) {
        self.context = context
        self.values = values
        self.title = title
        self.currentUser = currentUser
        flashes = .list(context.session.takeFlashes().map { ["kind": .string($0.kind), "message": .string($0.message)] })
    }

    public func value(forKey key: String) -> MustacheValue? {
        if let value = values[key] { return value }
        switch key {
        case "title": return .string(title)
        case "currentUser": return currentUser
        case "flashes": return flashes
        case "csrfToken": return .string(context.session.csrfToken)
        case "requestID": return .string(context.requestID)
        default: return nil
        }
    }

    /// The page as a view of `template`.
    public func view(_ template: String, status: HTTPStatus = .ok) -> View {
        View(template, MustacheValue(self), status: status)
    }
}
