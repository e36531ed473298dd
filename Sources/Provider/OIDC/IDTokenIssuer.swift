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
    /// The provider session (OpenID Connect Back-Channel Logout 1.0 §2.1).
    let sid: String?
}

/// Signs id_tokens with the active RS256 key.
struct IDTokenIssuer: Sendable {
    let issuer: String
    let keys: SigningKeys
    let lifetime: Int

    /// An id_token for `user` and `clientID`; profile and email claims follow the scope.
    /// `methods` are the RFC 8176 `amr` of the sign-in; `acr` follows from them.
    func sign(user: ProviderUser, clientID: String, scope: ScopeSet, authTime: Int, methods: [String], nonce: String?,
              accessToken: String, sid: String? = nil, now: Int) throws -> String {
        let profile = scope.contains("profile"), email = scope.contains("email")
        let claims = IDTokenClaims(
            iss: issuer, sub: user.subject, aud: clientID, exp: now + lifetime, iat: now, auth_time: authTime,
            amr: methods.isEmpty ? nil : methods, acr: methods.isEmpty ? nil : AuthenticationMethods.acr(methods), nonce: nonce,
            at_hash: Self.accessTokenHash(accessToken),
            preferred_username: profile ? user.username : nil, name: profile ? user.displayName : nil,
            email: email ? user.email : nil, email_verified: email ? user.emailVerified : nil, sid: sid)
        return try JWT.sign(claims: claims, key: keys.active, kid: keys.activeKeyID)
    }

    /// `at_hash`: the left half of the access token's SHA-256, base64url (Core §3.1.3.6).
    static func accessTokenHash(_ token: String) -> String {
        Base64URL.encode(SHA256.hash(token).prefix(16))
    }
}

extension IDTokenIssuer {
    /// How long after its expiry an id_token still names its session as a hint (RP-initiated
    /// logout 1.0 §2 asks to accept expired ones for a recent session).
    static let hintAcceptance = 86_400 * 7

    /// The claims of an id_token this provider issued, for `id_token_hint`: signed by a key still
    /// published (a retired key's tokens are refused), our `iss`, its own `aud` (the client it
    /// names; the caller compares it with anything else the request says), and expired at most
    /// `hintAcceptance` ago. Nil for anything else.
    func verifyHint(_ compact: String, now: Int) -> Claims? {
        guard let token = try? JWT.parse(compact), let audience = token.claims.audience.first else { return nil }
        return try? token.verify(using: keys.published, issuer: issuer, audience: audience, now: now, leeway: Self.hintAcceptance, nonce: nil)
    }
}
