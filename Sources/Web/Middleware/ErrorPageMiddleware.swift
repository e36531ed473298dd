import Foundation
import Mustache

/// Turns errors into pages people can read: every error becomes an `HTTPError` through the
/// application's `ErrorMapping` (which logs what is not a client error), then renders `template`
/// with its status and message. Clients that prefer JSON get `{"error": …, "message": …}`.
public struct ErrorPageMiddleware: Middleware {
    private let template: String
    private let decorate: @Sendable (RequestContext, [String: MustacheValue]) -> MustacheValue

    /// Renders errors through `template` (e.g. `site/error`), which sees `status`, `title`,
    /// `message` and `requestID`; `decorate` may wrap those in the values the layout needs.
    public init(template: String,
                decorate: @escaping @Sendable (RequestContext, [String: MustacheValue]) -> MustacheValue = { MustacheValue($1) }) {
        self.template = template
        self.decorate = decorate
    }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        do {
            return try await next.respond(to: request, context: context)
        } catch {
            return render(context.httpError(for: error), request: request, context: context)
        }
    }

    private func render(_ error: HTTPError, request: Request, context: RequestContext) -> Response {
        var response: Response
        if Self.prefersJSON(request) {
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            response = (try? JSON(["error": code, "message": error.message], status: error.status).response(for: request, context: context))
                ?? Response(status: error.status)
        } else {
            let translator = context.translator
            let title = HTTPStatus.pageTitles[error.status.code].map { translator.text($0) } ?? error.status.reasonPhrase
            // A message given as plain English is looked up all the same: the catalogs may
            // know it (reason phrases do), and a miss leaves it as it was.
            let message = error.localized.map { translator.text($0) }
                ?? (error.message == error.status.reasonPhrase ? title : translator.text(error.message))
            let values: [String: MustacheValue] = [
                "status": .int(error.status.code),
                "title": .string(title),
                "message": .string(message),
                "requestID": .string(context.requestID),
            ]
            let html = context.templates?.render(decorate(context, values), template: template) ?? "<h1>\(error.status.code) \(error.status.reasonPhrase)</h1>"
            response = Response(status: error.status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.utf8))
        }
        for field in error.headers { response.headers.add(field.name, field.value) }
        return response
    }

    /// Whether the client asked for JSON rather than HTML (API clients, fetch calls).
    static func prefersJSON(_ request: Request) -> Bool {
        guard let accept = request.headers["Accept"] else { return false }
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
