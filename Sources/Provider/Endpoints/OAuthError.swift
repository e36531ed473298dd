import Foundation
import Security
import Web

/// An error reply in RFC 6749's vocabulary (§4.1.2.1, §5.2), RFC 6750's (§3.1) and OpenID
/// Connect's. Domain errors (`GrantError`, `ClientAuthenticationError`, …) are mapped to one of
/// these only here, at the edge.
struct OAuthError: Error, Sendable {
    /// The registered error codes we use.
    enum Code: String, Sendable {
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unauthorizedClient = "unauthorized_client"
        case unsupportedGrantType = "unsupported_grant_type"
        case invalidScope = "invalid_scope"
        case accessDenied = "access_denied"
        case unsupportedResponseType = "unsupported_response_type"
        case serverError = "server_error"
        case temporarilyUnavailable = "temporarily_unavailable"
        case loginRequired = "login_required"
        case consentRequired = "consent_required"
        case invalidToken = "invalid_token"
        case insufficientScope = "insufficient_scope"
        /// RFC 8707 §2: a `resource` we do not issue tokens for, or one outside the grant.
        case invalidTarget = "invalid_target"
        /// RFC 9449 §5: a DPoP proof that does not verify, is replayed, or is made with the wrong key.
        case invalidDPoPProof = "invalid_dpop_proof"
        /// RFC 9449 §8: retry with the server nonce in `DPoP-Nonce`.
        case useDPoPNonce = "use_dpop_nonce"
        // RFC 8628 §3.5.
        case authorizationPending = "authorization_pending"
        case slowDown = "slow_down"
        case expiredToken = "expired_token"
        // RFC 7591 §3.2.2.
        case invalidRedirectURI = "invalid_redirect_uri"
        case invalidClientMetadata = "invalid_client_metadata"
    }

    var code: Code
    /// A human-readable `error_description`: ASCII, no quotes or backslashes (RFC 6749 §5.2).
    var description: String
    var status: HTTPStatus
    var headers: HTTPHeaders

    init(_ code: Code, _ description: String, status: HTTPStatus = .badRequest, headers: HTTPHeaders = HTTPHeaders()) {
        self.code = code
        self.description = description
        self.status = status
        self.headers = headers
    }

    /// The JSON reply, uncacheable like every token endpoint reply.
    var response: Response {
        var response = OAuthReply.json(["error": .string(code.rawValue), "error_description": .string(description)], status: status)
        for field in headers { response.headers.add(field.name, field.value) }
        return response
    }
}

/// JSON replies for the OAuth endpoints.
enum OAuthReply {
    /// `value` as JSON with `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1):
    /// replies carry tokens, or say something about them.
    static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        let body = (try? JSONBody.encode(value)) ?? Array("{}".utf8)
        return Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store",
                                                  "Pragma": "no-cache"], body: body)
    }

    /// Runs an endpoint's body, turning every refusal into its RFC reply, still in JSON: these
    /// endpoints are called by programs, which an HTML error page would only confuse. Errors the
    /// domain does not name go through the application's `ErrorMapping`, like every other reply:
    /// a database outage is `503 temporarily_unavailable` with `Retry-After`, anything else
    /// unexpected is logged and `500 server_error`.
    static func run(_ context: RequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as OAuthError {
            return error.response
        } catch let error as GrantError {
            return OAuthError(error).response
        } catch {
            return OAuthError(context.httpError(for: error)).response
        }
    }
}
