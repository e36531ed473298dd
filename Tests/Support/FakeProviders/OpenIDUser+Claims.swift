import Security

/// Standard OpenID Connect claims of a user, filtered by the scopes granted.
extension OpenIDUser {
    /// `profile` claims with the `profile` scope, `email` claims with the `email` scope (never
    /// `sub`, which callers add or leave out on purpose).
    func claims(scopes: [String]) -> [String: JSONValue] {
        var claims: [String: JSONValue] = [:]
        if scopes.contains("profile") {
            claims["name"] = .string(name)
            claims["given_name"] = .string(givenName)
            claims["family_name"] = .string(familyName)
            claims["locale"] = .string(locale)
            if let picture { claims["picture"] = .string(picture) }
            if let preferredUsername { claims["preferred_username"] = .string(preferredUsername) }
        }
        if scopes.contains("email"), let email {
            claims["email"] = .string(email)
            claims["email_verified"] = .bool(emailVerified)
        }
        return claims
    }
}
