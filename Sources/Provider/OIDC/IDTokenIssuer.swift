import Security

/// The claims of an id_token (OpenID Connect Core §2 and §5.1). Optional claims that are nil
/// are left out of the JSON.
struct IDTokenClaims: Encodable {
    let iss: String
    let sub: String
    let aud: String
    let exp: Int
    let iat: Int
    let auth_time: Int
    let amr: [String]?
    let acr: String?
    let nonce: String?
    let at_hash: String?
    let preferred_username: String?
    let name: String?
    let email: String?
    let email_verified: Bool?
}

/// Signs id_tokens with the active RS256 key.
struct IDTokenIssuer: Sendable {
    let issuer: String
    let keys: SigningKeys
    let lifetime: Int

    /// An id_token for `user` and `clientID`; profile and email claims follow the scope.
    /// `methods` are the RFC 8176 `amr` of the sign-in; `acr` follows from them.
    func sign(user: ProviderUser, clientID: String, scope: ScopeSet, authTime: Int, methods: [String], nonce: String?,
              accessToken: String, now: Int) throws -> String {
        let profile = scope.contains("profile"), email = scope.contains("email")
        let claims = IDTokenClaims(
            iss: issuer, sub: user.subject, aud: clientID, exp: now + lifetime, iat: now, auth_time: authTime,
            amr: methods.isEmpty ? nil : methods, acr: methods.isEmpty ? nil : AuthenticationMethods.acr(methods), nonce: nonce,
            at_hash: Self.accessTokenHash(accessToken),
            preferred_username: profile ? user.username : nil, name: profile ? user.displayName : nil,
            email: email ? user.email : nil, email_verified: email ? user.emailVerified : nil)
        return try JWT.sign(claims: claims, key: keys.active, kid: keys.activeKeyID)
    }

    /// `at_hash`: the left half of the access token's SHA-256, base64url (Core §3.1.3.6).
    static func accessTokenHash(_ token: String) -> String {
        Base64URL.encode(SHA256.hash(token).prefix(16))
    }
}
