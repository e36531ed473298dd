import Security

/// The token endpoint's success reply.
extension IssuedTokens {
    /// RFC 6749 §5.1, plus OpenID Connect's `id_token`; `token_type` is `DPoP` for a bound token (RFC 9449 §5).
    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "access_token": .string(accessToken), "token_type": dpopKey == nil ? "Bearer" : "DPoP", "expires_in": .int(expiresIn), "scope": .string(scope.description),
        ]
        if let refreshToken { fields["refresh_token"] = .string(refreshToken) }
        if let idToken { fields["id_token"] = .string(idToken) }
        return .object(fields)
    }
}
