import Localization
import Security

/// Refuses POST, PUT, PATCH and DELETE requests that do not carry the session's CSRF token, as
/// a form field (`csrf_token`) or an `X-CSRF-Token` header. Routes under `exemptPrefixes` (APIs
/// authenticated by bearer tokens, OAuth endpoints called by servers) are not checked, because
/// no cookie authenticates them. Must run after `SessionMiddleware`.
public struct CSRFMiddleware: Middleware {
    /// The form field name templates use.
    public static let fieldName = "csrf_token"
    private let exemptPrefixes: [String]

    /// A CSRF check for every route except those under `exemptPrefixes`.
    public init(exemptPrefixes: [String] = []) { self.exemptPrefixes = exemptPrefixes }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard request.method.isUnsafe, !exemptPrefixes.contains(where: { request.path.hasPrefix($0) }) else {
            return try await next.respond(to: request, context: context)
        }
        let sent = request.headers["X-CSRF-Token"]
            ?? (request.mediaType == "application/x-www-form-urlencoded" ? (try? request.form())?[Self.fieldName] : nil)
        guard let expected = context.session.expectedCSRFToken, let sent,
              constantTimeEquals(Array(sent.utf8), Array(expected.utf8)) else {
            context.logger.warning("csrf_rejected", ["method": request.method, "path": request.path])
            throw HTTPError(.forbidden, Message("This form has expired or did not come from this site, so it was not accepted (CSRF check failed). Go back, reload the page and try again."))
        }
        return try await next.respond(to: request, context: context)
    }
}
