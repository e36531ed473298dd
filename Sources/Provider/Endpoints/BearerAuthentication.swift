import Security
import Web

/// The access token check for resource endpoints: bearer tokens (RFC 6750 §2.1 and §3) and
/// DPoP-bound ones (RFC 9449 §7: `Authorization: DPoP <token>` with a proof by the bound key).
/// Every 401 names the protected-resource metadata (RFC 9728 §5.1), where a client learns which
/// authorization server issues tokens for these endpoints.
struct BearerAuthentication {
    let services: ProviderServices

    /// The grant behind the request's `Authorization: Bearer` token, or the 401 to answer with:
    /// `Bearer realm=…` when there is no token at all, `error="invalid_token"` when there is one
    /// that is malformed, unknown, expired, revoked, or issued for another resource (RFC 8707).
    func grant(for request: Request) async throws -> AccessGrant {
        if Self.hasQueryToken(request) { throw queryToken }
        guard let header = request.headers["Authorization"] else {
            throw OAuthError(.invalidRequest, "An access token is required.", status: .unauthorized,
                             headers: ["WWW-Authenticate": "Bearer realm=\"\(services.configuration.baseURL)\", \(resourceMetadata)"])
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { throw invalidToken }
        let scheme = parts[0].lowercased(), token = String(parts[1].trimmingOptionalWhitespace)
        guard scheme == "bearer" || scheme == "dpop" else { throw invalidToken }
        var proofKey: String?
        if scheme == "dpop" {
            do {
                guard let proof = try await services.dpop.proof(in: request, accessToken: token) else {
                    throw DPoPRefusal.invalid("A DPoP proof is required with the DPoP scheme.")
                }
                proofKey = proof.thumbprint
            } catch let refusal as DPoPRefusal {
                throw OAuthError(refusal, atResource: true, resourceMetadata: resourceMetadata)
            }
        }
        guard let grant = try await services.tokens.verifyAccessToken(token), grant.audience.contains(services.tokens.resources.own),
              // A bound token is worth nothing without its key: never as a bearer token (§7.2),
              // and only with a proof by that key; an unbound one only as a bearer token.
              grant.dpopKey == proofKey else {
            throw scheme == "dpop" ? invalidDPoPToken : invalidToken
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
    var queryToken: OAuthError {
        OAuthError(.invalidRequest, "Access tokens are accepted only in the Authorization header, never in the URL.", status: .badRequest,
                   headers: ["WWW-Authenticate": "Bearer error=\"invalid_request\", error_description=\"Access tokens are accepted only in the Authorization header, never in the URL.\", \(resourceMetadata)"])
    }

    /// The same refusal in the scheme the client used (RFC 9449 §7.1), naming the algorithms we take.
    var invalidDPoPToken: OAuthError {
        OAuthError(.invalidToken, "The access token is invalid, expired, revoked or bound to another key.", status: .unauthorized,
                   headers: ["WWW-Authenticate": "DPoP error=\"invalid_token\", algs=\"\(DPoPProof.algorithms.joined(separator: " "))\", \(resourceMetadata)"])
    }

    var invalidToken: OAuthError {
        OAuthError(.invalidToken, "The access token is invalid, expired or revoked.", status: .unauthorized,
                   headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"The access token is invalid, expired or revoked.\", \(resourceMetadata)"])
    }
}
