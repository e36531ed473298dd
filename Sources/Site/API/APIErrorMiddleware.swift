import Accounts
import Foundation
import Web

/// Turns every error under `/api` into the API's JSON error body, including the router's 404
/// and 405 (which is why this is application-wide middleware with a path check rather than
/// group middleware: a group only sees requests for routes that exist). Elsewhere it lets
/// errors through to the HTML error pages.
struct APIErrorMiddleware: Middleware {
    /// Whether `path` belongs to the API.
    static func isAPI(_ path: String) -> Bool { path == "/api" || path.hasPrefix("/api/") }

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard Self.isAPI(request.path) else { return try await next.respond(to: request, context: context) }
        do {
            return try await next.respond(to: request, context: context)
        } catch let error as APIError {
            return Self.response(error)
        } catch let error as SocialAuthError {
            return Self.response(APIError(error))
        } catch {
            // Framework errors and whatever the domain does not name: the application's mapping
            // (a database outage is 503 with Retry-After; the unexpected is logged, then 500).
            return Self.response(APIError(context.httpError(for: error)))
        }
    }

    /// The JSON response for `error`.
    static func response(_ error: APIError) -> Response {
        var response = Response(status: error.status, headers: ["Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"],
                                body: APIJSON.encode(APIErrorBody(error: error.code, message: error.message)))
        for field in error.headers { response.headers.set(field.name, field.value) }
        return response
    }
}

/// `{"error": …, "message": …}`.
struct APIErrorBody: Encodable {
    let error: String
    let message: String
}

/// The API's JSON replies, in the framework's one encoding (`JSONBody`).
enum APIJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        (try? JSONBody.encode(value)) ?? Array(#"{"error":"internal_error","message":"encoding failed"}"#.utf8)
    }

    /// `value` as a JSON response with `status`; never cached, never a cookie.
    static func response(_ value: some Encodable, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"],
                 body: encode(value))
    }
}
