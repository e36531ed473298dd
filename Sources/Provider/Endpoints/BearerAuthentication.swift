import Web

/// The bearer token check for resource endpoints (RFC 6750 §2.1 and §3).
struct BearerAuthentication {
    let services: ProviderServices

    /// The grant behind the request's `Authorization: Bearer` token, or the 401 to answer with:
    /// `Bearer realm=…` when there is no token at all, `error="invalid_token"` when there is one
    /// that is malformed, unknown, expired or revoked.
    func grant(for request: Request) async throws -> AccessGrant {
        if Self.hasQueryToken(request) { throw Self.queryToken }
        guard let header = request.headers["Authorization"] else {
            throw OAuthError(.invalidRequest, "An access token is required.", status: .unauthorized,
                             headers: ["WWW-Authenticate": "Bearer realm=\"\(services.configuration.baseURL)\""])
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let grant = try await services.tokens.verifyAccessToken(String(parts[1].trimmingOptionalWhitespace)) else {
            throw Self.invalidToken
        }
        return grant
    }

    /// The grant, which must act for a user.
    func userGrant(for request: Request) async throws -> (AccessGrant, ProviderUser) {
        let grant = try await grant(for: request)
        guard let user = grant.user else { throw Self.invalidToken }
        return (grant, user)
    }

    /// Whether the query string carries `access_token` (RFC 6750 §2.3). RFC 9700 §2.5 and
    /// OAuth 2.1 forbid it: URLs end up in logs, histories and `Referer` headers. A query that
    /// does not decode is searched as text, so an odd escape cannot smuggle one through.
    static func hasQueryToken(_ request: Request) -> Bool {
        guard let raw = request.head.query else { return false }
        guard let form = FormData(urlEncoded: raw) else { return raw.lowercased().contains("access_token") }
        return form["access_token"] != nil
    }

    /// The refusal of a token in the URL: `400 invalid_request` (RFC 6750 §3.1), even when a
    /// header carries one too, so the client learns to stop rather than half-working.
    static let queryToken = OAuthError(
        .invalidRequest, "Access tokens are accepted only in the Authorization header, never in the URL.", status: .badRequest,
        headers: ["WWW-Authenticate": "Bearer error=\"invalid_request\", error_description=\"Access tokens are accepted only in the Authorization header, never in the URL.\""])

    static let invalidToken = OAuthError(
        .invalidToken, "The access token is invalid, expired or revoked.", status: .unauthorized,
        headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"The access token is invalid, expired or revoked.\""])
}
