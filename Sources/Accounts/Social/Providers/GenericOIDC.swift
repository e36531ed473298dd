import Identity
import Security
import Web

/// Any OpenID Connect provider (Google, GitLab, Keycloak…) configured by its discovery URL:
/// endpoints come from the discovery document, id_tokens are checked against its JWKS, and a
/// nonce and PKCE are always used.
extension ProviderRegistry.Entry {
    /// Any OpenID Connect provider at `OIDC_DISCOVERY_URL`, with `OIDC_CLIENT_ID`/`_SECRET`,
    /// `OIDC_NAME` and `OIDC_SCOPES`. The discovery document is fetched on first use.
    @Sendable static func genericOIDC(_ env: EnvironmentReader, http: any HTTPClient) -> Self {
        let discovery = env.endpoint("OIDC_DISCOVERY_URL")
        let name = env.string("OIDC_NAME", default: "OpenID Connect")
        let scopes = env.string("OIDC_SCOPES", default: "openid profile email").split(separator: " ").map(String.init)
        let api = ProviderAPI(clientID: env.string("OIDC_CLIENT_ID"), clientSecret: env.string("OIDC_CLIENT_SECRET"), http: http,
                              callsInFlight: ProviderRegistry.callsInFlight(env))
        let cache = DiscoveryCache()
        return .configured("oidc", name, prefix: "OIDC", env, http: http, missing: discovery.isEmpty ? "OIDC_DISCOVERY_URL is not set" : nil,
                           frontEndNeedsIDToken: true) { () async throws(SocialAuthError) -> ProviderDefinition in
            try .genericOIDC(discovery: try await cache.document(at: discovery, api: api), displayName: name, scopes: scopes)
        }
    }
}

extension ProviderDefinition {
    static func genericOIDC(discovery: JSONValue, displayName: String, scopes: [String]) throws(SocialAuthError) -> ProviderDefinition {
        guard let issuer = discovery["issuer"]?.nonEmptyString,
              let authorize = discovery["authorization_endpoint"]?.nonEmptyString,
              let token = discovery["token_endpoint"]?.nonEmptyString,
              let jwks = discovery["jwks_uri"]?.nonEmptyString else {
            throw .providerUnavailable("discovery document lacks issuer, endpoints or jwks_uri")
        }
        let userinfo = discovery["userinfo_endpoint"]?.nonEmptyString
        let revocation = discovery["revocation_endpoint"]?.nonEmptyString
        let revoke = revocation.map(Self.rfc7009Revoke)
        let methods = discovery["token_endpoint_auth_methods_supported"]?.arrayValue?.compactMap(\.stringValue) ?? ["client_secret_basic"]
        return ProviderDefinition(
            id: "oidc", displayName: displayName, authorizeURL: authorize, tokenURL: token, scopes: scopes,
            clientAuthentication: methods.contains("client_secret_basic") ? .basic : .secretInBody,
            usesPKCE: true, openID: OpenIDSettings(issuer: issuer, jwksURL: jwks, checksNonce: true), supportsRefresh: true,
            fetchProfile: { api, tokens throws(SocialAuthError) in
                var info: JSONValue?
                if let userinfo {
                    info = try await api.getJSON(userinfo, headers: ["Authorization": "Bearer \(tokens.accessToken)"]).json
                }
                return try OpenIDProfile.map(userinfo: info, claims: tokens.idClaims)
            },
            revoke: revoke)
    }

    /// An RFC 7009 revocation call to `url`.
    static func rfc7009Revoke(url: String) -> @Sendable (ProviderAPI, String, String) async throws(SocialAuthError) -> Void {
        return { api, token, _ throws(SocialAuthError) in
            let form = [("token", token), ("client_id", api.clientID), ("client_secret", api.clientSecret)]
            _ = try await api.send(.post(url, form: form))
        }
    }
}
