import Identity
import Security
import Web

/// LinkedIn's "Sign In with LinkedIn using OpenID Connect". The token endpoint takes the secret
/// in the form body only (Basic auth is refused) and rejects PKCE from web apps; the id_token is
/// RS256 and carries no nonce; the issuer is `https://www.linkedin.com/oauth` (changed in 2024).
extension ProviderDefinition {
    /// The issuer LinkedIn's id_tokens carry (since 2024), whatever URLs the endpoints are moved to.
    public static let linkedInIssuer = "https://www.linkedin.com/oauth"

    static func linkedIn(authBase: String, apiBase: String, issuer: String) -> ProviderDefinition {
        ProviderDefinition(
            id: "linkedin", displayName: "LinkedIn",
            authorizeURL: authBase + "/oauth/v2/authorization", tokenURL: authBase + "/oauth/v2/accessToken",
            scopes: ["openid", "profile", "email"], usesPKCE: false,
            openID: OpenIDSettings(issuer: issuer, jwksURL: authBase + "/oauth/openid/jwks", checksNonce: false),
            fetchProfile: { api, tokens throws(SocialAuthError) in
                let info = try await api.getJSON(apiBase + "/v2/userinfo", headers: ["Authorization": "Bearer \(tokens.accessToken)"]).json
                return try OpenIDProfile.map(userinfo: info, claims: tokens.idClaims)
            },
            checkAudience: { api, token throws(SocialAuthError) in
                let reply = try await api.sendJSON(.post(authBase + "/oauth/v2/introspectToken",
                                                         form: [("client_id", api.clientID), ("client_secret", api.clientSecret), ("token", token)]))
                guard reply.json["active"]?.boolValue == true else { throw .invalidToken }
                guard reply.json["client_id"]?.stringValue == api.clientID else { throw .wrongAudience }
            })
    }
}

extension ProviderRegistry.Entry {
    /// LinkedIn from `LINKEDIN_CLIENT_ID`/`_SECRET`; `LINKEDIN_AUTH_URL` and `LINKEDIN_API_URL` move
    /// it. The expected issuer is `LINKEDIN_ISSUER`, LinkedIn's real one by default: it is never
    /// derived from a moved URL (a proxy or mirror in front of LinkedIn still gets tokens that
    /// LinkedIn issued, and deriving it failed every such sign-in with `wrongIssuer`).
    @Sendable static func linkedIn(_ env: EnvironmentReader, http: any HTTPClient) -> Self {
        let auth = env.endpoint("LINKEDIN_AUTH_URL", default: "https://www.linkedin.com")
        let api = env.endpoint("LINKEDIN_API_URL", default: "https://api.linkedin.com")
        let issuer = env.string("LINKEDIN_ISSUER", default: ProviderDefinition.linkedInIssuer)
        return .configured("linkedin", "LinkedIn", prefix: "LINKEDIN", env, http: http) {
            .linkedIn(authBase: auth, apiBase: api, issuer: issuer)
        }
    }
}

/// OpenID Connect claims (from a verified id_token and/or userinfo) in our terms.
public enum OpenIDProfile {
    public static func map(userinfo: JSONValue?, claims: Claims?) throws(SocialAuthError) -> NormalizedProfile {
        let info = userinfo?.objectValue ?? [:]
        let idSub = claims?.string("sub")
        // An empty `sub` would make everyone whose token carries one the same account (found by
        // scripts/fuzz; userinfo's `sub` is already held to non-empty by `idString`).
        if idSub?.isEmpty == true { throw .invalidProfile("empty sub claim") }
        // OpenID Connect Core §5.3.2: userinfo always carries `sub`; without it, nothing ties its
        // claims (the email above all) to the person the id_token names.
        if userinfo != nil, info["sub"]?.idString == nil { throw .invalidProfile("userinfo has no sub") }
        guard let sub = info["sub"]?.idString ?? idSub else { throw .invalidProfile("no sub claim") }
        if let idSub, idSub != sub { throw .invalidProfile("userinfo sub does not match the id_token") }
        func text(_ key: String) -> String? { info[key]?.nonEmptyString ?? claims?.string(key).flatMap { $0.isEmpty ? nil : $0 } }
        let verified = info["email_verified"]?.boolValue ?? (info["email_verified"]?.stringValue == "true" ? true : nil) ?? claims?.bool("email_verified") ?? false
        return NormalizedProfile(
            uid: sub, login: text("preferred_username"), name: text("name"), email: text("email"),
            emailVerified: text("email") != nil && verified, avatarURL: text("picture"),
            raw: userinfo ?? .object(claims?.values ?? [:]))
    }
}
