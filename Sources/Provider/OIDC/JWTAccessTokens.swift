import Security

/// The claims of a JWT access token (RFC 9068 §2.2). Optional claims that are nil are left out.
struct JWTAccessTokenClaims: Encodable {
    let iss: String
    /// The user's subject, or the client's id for a token that acts for no user (§2.2).
    let sub: String
    let aud: [String]
    let exp: Int
    let iat: Int
    let jti: String
    let client_id: String
    let scope: String
    let auth_time: Int?
    let acr: String?
    let amr: [String]?
    /// RFC 9449 §6.1: `{"jkt": thumbprint}` for a DPoP-bound token.
    let cnf: [String: String]?
}

/// Signs and recognises JWT access tokens (RFC 9068) with the provider's signing key. Signed
/// with `typ: at+jwt`, so an id_token can never be replayed as an access token or the reverse.
/// The token's `jti` is what the provider stores (hashed), so a JWT access token is live exactly
/// while its row is: revocation, expiry and introspection work as for opaque tokens.
struct JWTAccessTokens: Sendable {
    static let type = "at+jwt"

    let issuer: String
    let keys: SigningKeys

    func sign(_ claims: JWTAccessTokenClaims) throws -> String {
        try JWT.sign(claims: claims, key: keys.active, kid: keys.activeKeyID, typ: Self.type)
    }

    /// The `jti` of a JWT access token we issued: signed by one of our published keys, of type
    /// `at+jwt`, from this issuer. Nil for anything else; whether the token is still live is
    /// the stored row's business.
    func identifier(of token: String) -> String? {
        guard let jwt = try? JWT.parse(token), jwt.header.string("typ") == Self.type,
              (try? jwt.verifySignature(using: keys.published)) != nil,
              jwt.claims.string("iss") == issuer, let jti = jwt.claims.string("jti"), TokenHash.isPlausible(jti) else { return nil }
        return jti
    }
}
