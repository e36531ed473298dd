import Identity
import Security
import Web

/// Our own sibling provider (plain OAuth 2.0 over HTTP): PKCE S256, rotating refresh tokens,
/// RFC 7009 revocation and RFC 7662 introspection. Only its URL and a client are configured.
extension ProviderDefinition {
    static func sibling(base: String, issuer: String, displayName: String) -> ProviderDefinition {
        @Sendable func clientForm(_ api: ProviderAPI, _ extra: [(String, String)]) -> [(String, String)] {
            extra + [("client_id", api.clientID), ("client_secret", api.clientSecret)]
        }
        return ProviderDefinition(
            id: "sibling", displayName: displayName,
            authorizeURL: base + "/oauth/authorize", tokenURL: base + "/oauth/token",
            // `openid` for the id_token (checked against the provider's JWKS, with a nonce), whose
            // `sid` lets the provider's back-channel logout end the session this sign-in makes.
            scopes: ["openid", "profile", "email"], usesPKCE: true,
            openID: OpenIDSettings(issuer: issuer, jwksURL: base + "/.well-known/jwks.json", checksNonce: true), supportsRefresh: true,
            fetchProfile: { api, tokens throws(SocialAuthError) in
                let profile = try await api.getJSON(base + "/api/profile", headers: ["Authorization": "Bearer \(tokens.accessToken)"]).json
                return try SiblingProfile.map(profile)
            },
            revoke: { api, token, _ throws(SocialAuthError) in
                _ = try await api.send(.post(base + "/oauth/revoke", form: clientForm(api, [("token", token)])))
            },
            checkAudience: { api, token throws(SocialAuthError) in
                let reply = try await api.sendJSON(.post(base + "/oauth/introspect", form: clientForm(api, [("token", token)])))
                guard reply.json["active"]?.boolValue == true else { throw .invalidToken }
                guard reply.json["client_id"]?.stringValue == api.clientID else { throw .wrongAudience }
            })
    }
}

extension ProviderRegistry.Entry {
    /// Latchkey ID at `SIBLING_PROVIDER_URL`, with `SIBLING_CLIENT_ID`/`_SECRET` and `SIBLING_NAME`;
    /// its id_tokens' issuer is `SIBLING_ISSUER`, by default the URL (the provider's
    /// `PROVIDER_BASE_URL`; they differ only when the site reaches it by another address).
    @Sendable static func sibling(_ env: EnvironmentReader, http: any HTTPClient) -> Self {
        let base = env.endpoint("SIBLING_PROVIDER_URL")
        let name = env.string("SIBLING_NAME", default: "Latchkey ID")
        let issuer = env.endpoint("SIBLING_ISSUER", default: base)
        return .configured("sibling", name, prefix: "SIBLING", env, http: http,
                           requires: ["SIBLING_PROVIDER_URL"]) { .sibling(base: base, issuer: issuer, displayName: name) }
    }
}

/// The sibling's `/api/profile` JSON (`{id, username, email, email_verified, name}`) in our terms.
public enum SiblingProfile {
    public static func map(_ profile: JSONValue) throws(SocialAuthError) -> NormalizedProfile {
        guard profile.objectValue != nil else { throw .invalidProfile("sibling profile is not an object") }
        guard let uid = profile["id"]?.idString else { throw .invalidProfile("sibling profile has no id") }
        return NormalizedProfile(
            uid: uid, login: profile["username"]?.nonEmptyString, name: profile["name"]?.nonEmptyString,
            email: profile["email"]?.nonEmptyString, emailVerified: profile["email_verified"]?.boolValue ?? false,
            avatarURL: nil, raw: profile)
    }
}
