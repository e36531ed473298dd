import Foundation
import Identity
import Security
import Web

/// Any OpenID Connect provider (Google, GitLab, Keycloak…) configured by its discovery URL:
/// endpoints come from the discovery document, id_tokens are checked against its JWKS, and a
/// nonce and PKCE are always used.
extension ProviderRegistry.Entry {
    /// Any OpenID Connect provider at `OIDC_DISCOVERY_URL`, with `OIDC_CLIENT_ID`/`_SECRET`,
    /// `OIDC_NAME` and `OIDC_SCOPES` (the single provider of earlier versions, id `oidc`). The
    /// discovery document is fetched on first use.
    @Sendable static func genericOIDC(_ env: EnvironmentReader, http: any HTTPClient) -> Self {
        .openIDConnect(id: "oidc", prefix: "OIDC", defaultName: "OpenID Connect", env, http: http)
    }

    /// The ids no `OIDC_PROVIDERS` name may take: the built-in providers' (and `oidc`).
    static let reservedIDs: Set<String> = ["github", "facebook", "linkedin", "sibling", "oidc"]

    /// `OIDC_PROVIDERS=google,microsoft`: one OpenID Connect provider per name, each read from
    /// its own variables (`OIDC_GOOGLE_DISCOVERY_URL`, `OIDC_GOOGLE_CLIENT_ID`,
    /// `OIDC_GOOGLE_CLIENT_SECRET`, optional `OIDC_GOOGLE_NAME` and `OIDC_GOOGLE_SCOPES`), its id
    /// the name (`/auth/google`). A name that cannot be an id is skipped and reported.
    static func namedOIDC(_ env: EnvironmentReader, http: any HTTPClient) -> (entries: [Self], problems: [String]) {
        var entries: [Self] = [], problems: [String] = [], seen: Set<String> = []
        for raw in env.list("OIDC_PROVIDERS") {
            let name = raw.lowercased()
            // The id goes into URLs, the database and variable names: letters, digits, dashes.
            guard name.count <= 32, name.first?.isLetter == true,
                  name.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
                problems.append("OIDC_PROVIDERS: \"\(raw.prefix(40))\" is not a usable name (lowercase letters, digits and dashes, starting with a letter)")
                continue
            }
            guard !reservedIDs.contains(name) else {
                problems.append("OIDC_PROVIDERS: \"\(name)\" is taken by a built-in provider; choose another name")
                continue
            }
            guard seen.insert(name).inserted else { continue }
            let prefix = "OIDC_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            entries.append(.openIDConnect(id: name, prefix: prefix, defaultName: name.prefix(1).uppercased() + name.dropFirst(), env, http: http))
        }
        return (entries, problems)
    }

    /// An OpenID Connect provider read from `<prefix>_DISCOVERY_URL`, `_CLIENT_ID`,
    /// `_CLIENT_SECRET`, `_NAME` and `_SCOPES`.
    static func openIDConnect(id: String, prefix: String, defaultName: String, _ env: EnvironmentReader, http: any HTTPClient) -> Self {
        let discovery = env.endpoint("\(prefix)_DISCOVERY_URL")
        let name = env.string("\(prefix)_NAME", default: defaultName)
        let scopes = env.string("\(prefix)_SCOPES", default: "openid profile email").split(separator: " ").map(String.init)
        let api = ProviderAPI(clientID: env.string("\(prefix)_CLIENT_ID"), clientSecret: env.string("\(prefix)_CLIENT_SECRET"), http: http,
                              callsInFlight: ProviderRegistry.callsInFlight(env))
        let cache = DiscoveryCache()
        return .configured(id, name, prefix: prefix, env, http: http, requires: ["\(prefix)_DISCOVERY_URL"], frontEndNeedsIDToken: true,
                           discoveryURL: discovery.isEmpty ? nil : discovery,
                           rediscover: { () async throws(SocialAuthError) in
                               _ = try ProviderDefinition.genericOIDC(id: id, discovery: try await cache.refresh(at: discovery, api: api),
                                                                      displayName: name, scopes: scopes)
                           }) { () async throws(SocialAuthError) -> ProviderDefinition in
            try .genericOIDC(id: id, discovery: try await cache.document(at: discovery, api: api), displayName: name, scopes: scopes)
        }
    }
}

extension ProviderDefinition {
    static func genericOIDC(id: String, discovery: JSONValue, displayName: String, scopes: [String]) throws(SocialAuthError) -> ProviderDefinition {
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
            id: id, displayName: displayName, authorizeURL: authorize, tokenURL: token, scopes: scopes,
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
