import Foundation
import Security
import Web

/// userinfo, introspection, revocation, discovery and JWKS of `LinkedInFake`.
extension LinkedInFake {
    /// LinkedIn's API error body.
    static func apiError(_ code: Int, _ message: String) -> Response {
        Wire.json(["serviceErrorCode": .int(code), "message": .string(message), "status": 401], status: .unauthorized)
    }

    func userinfo(_ exchange: Exchange) throws -> Response {
        guard let value = Wire.bearer(exchange.request) else { return Self.apiError(65600, "Invalid access token") }
        let token: IssuedToken
        switch server.grants.withLock({ $0.status(of: value) }) {
        case let .active(found): token = found
        case .expired: return Self.apiError(65601, "The token used in the request has expired")
        case .revoked: return Self.apiError(65602, "The token used in the request has been revoked by the user")
        case .unknown: return Self.apiError(65600, "Invalid access token")
        }
        guard let user = state.withLock({ $0.directory.user(token.userKey) }) else { return Self.apiError(65600, "Invalid access token") }
        var claims = user.claims(scopes: token.scopes)
        if claims["locale"] != nil {
            let parts = user.locale.split(separator: "-").map(String.init)
            claims["locale"] = ["country": .string(parts.count > 1 ? parts[1] : ""), "language": .string(parts.first ?? "")]
        }
        if exchange.fault != .profileWithoutID { claims["sub"] = .string(user.sub) }
        return Wire.json(.object(claims))
    }

    func introspect(_ exchange: Exchange) throws -> Response {
        let form = exchange.bodyForm
        guard state.withLock({ $0.directory.client(form["client_id"], secret: form["client_secret"]) }) != nil else {
            return Self.clientAuthenticationFailed
        }
        guard let value = form["token"] else { return Self.oauthError("invalid_request", "A required parameter \"token\" is missing") }
        let status = server.grants.withLock { $0.status(of: value) }
        guard let token = status.record else { return Wire.json(["active": false]) }
        let (active, label): (Bool, String) = switch status {
        case .active: (true, "active")
        case .expired: (false, "expired")
        case .revoked, .unknown: (false, "revoked")
        }
        let issued = Wire.seconds(token.issuedAt)
        return Wire.json([
            "active": .bool(active), "client_id": .string(token.clientID), "authorized_at": .int(issued), "created_at": .int(issued),
            "expires_at": .int(token.expiresAt.map(Wire.seconds) ?? 0), "scope": .string(token.scopes.sorted().joined(separator: ",")),
            "status": .string(label), "auth_type": "3L",
        ])
    }

    func revoke(_ exchange: Exchange) throws -> Response {
        let form = exchange.bodyForm
        guard let client = state.withLock({ $0.directory.client(form["client_id"], secret: form["client_secret"]) }) else {
            return Self.clientAuthenticationFailed
        }
        guard let value = form["token"] else { return Self.oauthError("invalid_request", "A required parameter \"token\" is missing") }
        server.grants.withLock { grants in
            if grants.status(of: value).record?.clientID == client.id { grants.revoke(value) }
        }
        return Response(status: .ok)
    }

    func discovery(_ exchange: Exchange) throws -> Response {
        Wire.json([
            "issuer": .string(issuer),
            "authorization_endpoint": .string(baseURL + "/oauth/v2/authorization"),
            "token_endpoint": .string(baseURL + "/oauth/v2/accessToken"),
            "userinfo_endpoint": .string(baseURL + "/v2/userinfo"),
            "jwks_uri": .string(baseURL + "/oauth/openid/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": ["iss", "aud", "iat", "exp", "sub", "name", "given_name", "family_name", "picture", "email",
                                 "email_verified", "locale"],
        ])
    }

    func jwks(_ exchange: Exchange) throws -> Response {
        Wire.encoded(minter.keySet)
    }
}
