import Identity
import Security
import Web

/// Facebook Login over the Graph API. The Graph version lives in one configurable value (stale
/// pins are the classic cause of broken Facebook logins); every Graph call carries
/// `appsecret_proof`; the short-lived token is swapped for a long-lived one (about 60 days, no
/// refresh tokens exist); the uid is app-scoped; the email is never treated as verified.
extension ProviderDefinition {
    static func facebook(wwwBase: String, graphBase: String, version: String) -> ProviderDefinition {
        let graph = "\(graphBase)/\(version)"
        @Sendable func proof(_ api: ProviderAPI, _ token: String) -> String {
            Hex.encode(HMAC.sha256(key: Array(api.clientSecret.utf8), message: Array(token.utf8)))
        }
        return ProviderDefinition(
            id: "facebook", displayName: "Facebook",
            authorizeURL: "\(wwwBase)/\(version)/dialog/oauth", tokenURL: "\(graph)/oauth/access_token",
            scopes: ["email", "public_profile"], scopeSeparator: ",", tokenRequestStyle: .getQuery,
            codeExchangeSendsGrantType: false, usesPKCE: false,
            fetchProfile: { api, tokens throws(SocialAuthError) in
                let query = ClientRequest.formEncoded([
                    ("fields", "id,name,email,first_name,last_name,picture"),
                    ("access_token", tokens.accessToken), ("appsecret_proof", proof(api, tokens.accessToken)),
                ])
                let me = try await api.getJSON("\(graph)/me?\(query)")
                return try FacebookProfile.map(me.json)
            },
            afterExchange: { api, short throws(SocialAuthError) in
                let query = ClientRequest.formEncoded([
                    ("grant_type", "fb_exchange_token"), ("client_id", api.clientID), ("client_secret", api.clientSecret),
                    ("fb_exchange_token", short.accessToken),
                ])
                let response = try await api.send(.get("\(graph)/oauth/access_token?\(query)"))
                var long = try OAuthFlow.parseTokenResponse(response, now: Clock.now)
                long.scopes = short.scopes
                return long
            },
            revoke: { api, token, uid throws(SocialAuthError) in
                let query = ClientRequest.formEncoded([("access_token", token), ("appsecret_proof", proof(api, token))])
                _ = try await api.sendJSON(ClientRequest(method: "DELETE", url: "\(graph)/\(FormData.encode(uid))/permissions?\(query)"))
            },
            checkAudience: { api, token throws(SocialAuthError) in
                let query = ClientRequest.formEncoded([("input_token", token), ("access_token", "\(api.clientID)|\(api.clientSecret)")])
                let reply = try await api.getJSON("\(graphBase)/debug_token?\(query)", passing: [400])
                // Validity first: an unknown or expired token carries no (or a stale) app_id, and is
                // simply invalid, not another app's.
                guard let data = reply.json["data"], data["is_valid"]?.boolValue == true else { throw .invalidToken }
                guard data["app_id"]?.idString == api.clientID else { throw .wrongAudience }
            })
    }
}

/// Where Facebook lives and which Graph version we speak, read once for the sign-in provider and
/// for the site's Facebook Page credential.
public struct FacebookSettings: Sendable {
    public let wwwBase: String
    public let graphBase: String
    /// `FACEBOOK_GRAPH_VERSION`: stale pins are the classic cause of broken Facebook logins.
    public let graphVersion: String

    /// The settings in `env`, with Facebook's real hosts and our pinned version as defaults.
    public init(_ env: EnvironmentReader) {
        wwwBase = env.endpoint("FACEBOOK_WWW_URL", default: "https://www.facebook.com")
        graphBase = env.endpoint("FACEBOOK_GRAPH_URL", default: "https://graph.facebook.com")
        graphVersion = env.string("FACEBOOK_GRAPH_VERSION", default: "v25.0")
    }
}

extension ProviderRegistry.Entry {
    /// Facebook from `FACEBOOK_CLIENT_ID` (the app id) and `_SECRET`.
    @Sendable static func facebook(_ env: EnvironmentReader, http: any HTTPClient) -> Self {
        let settings = FacebookSettings(env)
        return .configured("facebook", "Facebook", prefix: "FACEBOOK", env, http: http, note: "Graph API \(settings.graphVersion)") {
            .facebook(wwwBase: settings.wwwBase, graphBase: settings.graphBase, version: settings.graphVersion)
        }
    }
}

/// Facebook's `/me` JSON in our terms.
public enum FacebookProfile {
    public static func map(_ me: JSONValue) throws(SocialAuthError) -> NormalizedProfile {
        guard me.objectValue != nil else { throw .invalidProfile("Facebook /me is not an object") }
        guard let uid = me["id"]?.idString else { throw .invalidProfile("Facebook profile has no id") }
        return NormalizedProfile(
            uid: uid, login: nil, name: me["name"]?.nonEmptyString,
            email: me["email"]?.nonEmptyString,
            emailVerified: false,
            avatarURL: me["picture"]?["data"]?["url"]?.nonEmptyString,
            raw: me)
    }
}
