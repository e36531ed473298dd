import Web

/// The bearer token check for resource endpoints (RFC 6750 §2.1 and §3). Every 401 names the
/// protected-resource metadata (RFC 9728 §5.1), where a client learns which authorization
/// server issues tokens for these endpoints.
struct BearerAuthentication {
    let services: ProviderServices

    /// The grant behind the request's `Authorization: Bearer` token, or the 401 to answer with:
    /// `Bearer realm=…` when there is no token at all, `error="invalid_token"` when there is one
    /// that is malformed, unknown, expired, revoked, or issued for another resource (RFC 8707).
    func grant(for request: Request) async throws -> AccessGrant {
        guard let header = request.headers["Authorization"] else {
            throw OAuthError(.invalidRequest, "An access token is required.", status: .unauthorized,
                             headers: ["WWW-Authenticate": "Bearer realm=\"\(services.configuration.baseURL)\", \(resourceMetadata)"])
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              let grant = try await services.tokens.verifyAccessToken(String(parts[1].trimmingOptionalWhitespace)),
              grant.audience.contains(services.tokens.resources.own) else {
            throw invalidToken
        }
        return grant
    }

    /// The grant, which must act for a user.
    func userGrant(for request: Request) async throws -> (AccessGrant, ProviderUser) {
        let grant = try await grant(for: request)
        guard let user = grant.user else { throw invalidToken }
        return (grant, user)
    }

    /// `resource_metadata="…"`, the RFC 9728 §5.1 parameter of every challenge.
    var resourceMetadata: String {
        "resource_metadata=\"\(ProtectedResourceMetadata.url(issuer: services.configuration.baseURL))\""
    }

    var invalidToken: OAuthError {
        OAuthError(.invalidToken, "The access token is invalid, expired or revoked.", status: .unauthorized,
                   headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"The access token is invalid, expired or revoked.\", \(resourceMetadata)"])
    }
}
