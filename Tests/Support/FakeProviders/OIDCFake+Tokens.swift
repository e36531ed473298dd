import Foundation
import Security
import Web

/// The token, userinfo, revocation and introspection endpoints of `OIDCFake`.
extension OIDCFake {
    func token(_ exchange: Exchange) throws -> Response {
        guard exchange.request.mediaType == "application/x-www-form-urlencoded" else {
            return Self.oauthError("invalid_request", "The request body must be application/x-www-form-urlencoded")
        }
        let client = try authenticatedClient(exchange)
        let form = exchange.bodyForm
        switch form["grant_type"] {
        case "authorization_code"?: return try codeGrant(form, client: client, fault: exchange.fault)
        case "refresh_token"?: return try refreshGrant(form, client: client, fault: exchange.fault)
        case nil: return Self.oauthError("invalid_request", "Missing parameter: grant_type")
        default: return Self.oauthError("unsupported_grant_type", "Unsupported grant_type")
        }
    }

    private func codeGrant(_ form: FormData, client: RegisteredClient, fault: FakeFault?) throws -> Response {
        guard let code = form["code"] else { return Self.oauthError("invalid_request", "Missing parameter: code") }
        let authorization: Authorization
        switch server.grants.withLock({ $0.peek(code) }) {
        case let .success(found): authorization = found
        case let .failure(.reused(family, _)):
            // RFC 6749 §4.1.2: a replayed code revokes the tokens the first redemption produced.
            server.grants.withLock { $0.revokeFamily(family) }
            return Self.oauthError("invalid_grant", "Code not valid")
        case .failure: return Self.oauthError("invalid_grant", "Code not valid")
        }
        guard authorization.clientID == client.id else { return Self.oauthError("invalid_grant", "Code was issued to another client") }
        guard form["redirect_uri"] == authorization.redirectURI else { return Self.oauthError("invalid_grant", "Incorrect redirect_uri") }
        switch (authorization.codeChallenge, form["code_verifier"]) {
        case (nil, nil): break
        case let (challenge?, verifier?):
            guard PKCE.verify(verifier: verifier, challenge: challenge) else { return Self.oauthError("invalid_grant", "PKCE verification failed") }
        case (_?, nil): return Self.oauthError("invalid_grant", "PKCE code verifier not specified")
        case (nil, _?): return Self.oauthError("invalid_grant", "PKCE code verifier specified but challenge not present in authorization")
        }
        guard case .success = server.grants.withLock({ $0.redeem(code) }) else { return Self.oauthError("invalid_grant", "Code not valid") }
        return try tokenReply(userKey: authorization.userKey, client: client, scopes: authorization.scopes, family: code,
                              nonce: authorization.nonce, fault: fault)
    }

    private func refreshGrant(_ form: FormData, client: RegisteredClient, fault: FakeFault?) throws -> Response {
        guard let value = form["refresh_token"] else { return Self.oauthError("invalid_request", "Missing parameter: refresh_token") }
        let outcome: TokenStatus = server.grants.withLock { grants in
            let status = grants.status(of: value, kind: .refresh)
            switch status {
            case let .active(token) where token.clientID == client.id:
                grants.revoke(value)
            case let .revoked(token) where token.clientID == client.id:
                // A rotated refresh token came back: someone holds a copy, so the whole family goes.
                grants.revokeFamily(token.family)
            default:
                break
            }
            return status
        }
        guard case let .active(token) = outcome, token.clientID == client.id else {
            return Self.oauthError("invalid_grant", "Invalid refresh token")
        }
        return try tokenReply(userKey: token.userKey, client: client, scopes: token.scopes, family: token.family, nonce: nil, fault: fault)
    }

    /// Issues an access token, a refresh token and (with `openid`) an id_token.
    private func tokenReply(userKey: String, client: RegisteredClient, scopes: [String], family: String, nonce: String?,
                            fault: FakeFault?) throws -> Response {
        guard let user = state.withLock({ $0.directory.user(userKey) }) else { return Self.oauthError("invalid_grant", "User not found") }
        let (access, refresh) = server.grants.withLock { grants in
            (grants.issue(.access, value: Wire.token(prefix: "at_", length: 40), userKey: userKey, clientID: client.id, scopes: scopes,
                          lifetime: TimeInterval(Self.accessTokenLifetime), family: family),
             grants.issue(.refresh, value: Wire.token(prefix: "rt_", length: 48), userKey: userKey, clientID: client.id, scopes: scopes,
                          lifetime: TimeInterval(Self.refreshTokenLifetime), family: family))
        }
        var reply: [String: JSONValue] = [
            "access_token": .string(access.value), "token_type": "Bearer", "expires_in": .int(Self.accessTokenLifetime),
            "refresh_token": .string(refresh.value), "refresh_expires_in": .int(Self.refreshTokenLifetime),
            "scope": .string(scopes.joined(separator: " ")),
        ]
        if scopes.contains("openid") {
            var claims = user.claims(scopes: scopes)
            claims["azp"] = .string(client.id)
            claims["auth_time"] = .int(Wire.seconds(Date()))
            if let nonce { claims["nonce"] = .string(nonce) }
            reply["id_token"] = .string(try minter.mint(issuer: issuer, audience: client.id, subject: user.sub, claims: claims,
                                                        lifetime: Self.accessTokenLifetime, fault: fault))
        }
        return Wire.json(.object(reply), headers: ["Cache-Control": "no-store", "Pragma": "no-cache"])
    }

    func userinfo(_ exchange: Exchange) throws -> Response {
        func refuse(_ description: String) -> Response {
            Wire.json(["error": "invalid_token", "error_description": .string(description)], status: .unauthorized,
                      headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"\(description)\""])
        }
        guard let value = Wire.bearer(exchange.request) ?? exchange.bodyForm["access_token"] else {
            return Wire.json(["error": "invalid_request", "error_description": "Missing access token"], status: .unauthorized,
                             headers: ["WWW-Authenticate": "Bearer realm=\"oidc-fake\""])
        }
        guard case let .active(token) = server.grants.withLock({ $0.status(of: value) }) else { return refuse("Token is not active") }
        guard let user = state.withLock({ $0.directory.user(token.userKey) }) else { return refuse("User not found") }
        var claims = user.claims(scopes: token.scopes)
        if exchange.fault != .profileWithoutID { claims["sub"] = .string(user.sub) }
        return Wire.json(.object(claims))
    }

    func revoke(_ exchange: Exchange) throws -> Response {
        let client = try authenticatedClient(exchange)
        guard let value = exchange.bodyForm["token"] else { return Self.oauthError("invalid_request", "Missing parameter: token") }
        let refused = server.grants.withLock { grants -> Bool in
            guard let token = grants.status(of: value, kind: nil).record else { return false }
            guard token.clientID == client.id else { return true }
            if token.kind == .refresh { grants.revokeFamily(token.family) } else { grants.revoke(value) }
            return false
        }
        // RFC 7009 §2.2: an unknown token is not an error; another client's token is.
        if refused { return Self.oauthError("unauthorized_client", "Token was issued to another client") }
        return Response(status: .ok)
    }

    func introspect(_ exchange: Exchange) throws -> Response {
        _ = try authenticatedClient(exchange)
        guard let value = exchange.bodyForm["token"] else { return Self.oauthError("invalid_request", "Missing parameter: token") }
        guard case let .active(token) = server.grants.withLock({ $0.status(of: value, kind: nil) }) else {
            return Wire.json(["active": false])
        }
        let user = state.withLock { $0.directory.user(token.userKey) }
        return Wire.json([
            "active": true, "scope": .string(token.scopes.joined(separator: " ")), "client_id": .string(token.clientID),
            "username": .string(user?.preferredUsername ?? token.userKey), "token_type": .string(token.kind == .access ? "Bearer" : "Refresh"),
            "exp": .int(token.expiresAt.map(Wire.seconds) ?? 0), "iat": .int(Wire.seconds(token.issuedAt)),
            "sub": .string(token.userKey), "aud": .string(token.clientID), "iss": .string(issuer),
        ])
    }
}
