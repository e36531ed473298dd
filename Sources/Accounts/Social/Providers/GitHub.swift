import Identity
import Security
import Web

/// GitHub (OAuth App; GitHub-App user tokens also handled): JSON token replies only when asked
/// with `Accept`, errors as HTTP 200, a mandatory `User-Agent`, and emails from `/user/emails`
/// where only a primary *and* verified address counts. The uid is the numeric `id`; `login` can
/// be renamed and re-registered by someone else, so we never key on it.
extension ProviderDefinition {
    static func github(authBase: String, apiBase: String) -> ProviderDefinition {
        @Sendable func headers(_ token: String) -> HTTPHeaders {
            ["Authorization": "Bearer \(token)", "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"]
        }
        @Sendable func basicAuth(_ api: ProviderAPI) -> String {
            "Basic " + Base64.encode(Array("\(api.clientID):\(api.clientSecret)".utf8))
        }
        return ProviderDefinition(
            id: "github", displayName: "GitHub",
            authorizeURL: authBase + "/login/oauth/authorize", tokenURL: authBase + "/login/oauth/access_token",
            scopes: ["read:user", "user:email"], usesPKCE: true, supportsRefresh: true,
            fetchProfile: { api, tokens throws(SocialAuthError) in
                let user = try await api.getJSON(apiBase + "/user", headers: headers(tokens.accessToken)).json
                // 404/403 here means no user:email scope: carry on without a verified email.
                let emails = try await api.getJSON(apiBase + "/user/emails", headers: headers(tokens.accessToken), passing: [403, 404])
                return try GitHubProfile.map(user: user, emails: emails.status == 200 ? emails.json : nil)
            },
            revoke: { api, token, _ throws(SocialAuthError) in
                let body = Array(#"{"access_token":"\#(JSONString.escape(token))"}"#.utf8)
                var request = ClientRequest(method: "DELETE", url: "\(apiBase)/applications/\(api.clientID)/grant",
                                            headers: ["Authorization": basicAuth(api), "Accept": "application/vnd.github+json",
                                                      "Content-Type": "application/json"], body: body)
                request.headers.set("X-GitHub-Api-Version", "2022-11-28")
                let response = try await api.send(request)
                guard response.status == 204 || response.status == 404 else { throw .providerUnavailable("revoke answered HTTP \(response.status)") }
            },
            checkAudience: { api, token throws(SocialAuthError) in
                let body = Array(#"{"access_token":"\#(JSONString.escape(token))"}"#.utf8)
                let request = ClientRequest.postJSON("\(apiBase)/applications/\(api.clientID)/token", json: body,
                                                     headers: ["Authorization": basicAuth(api), "Accept": "application/vnd.github+json"])
                let response = try await api.send(request)
                switch response.status {
                case 200: return
                case 404, 422:
                    // GitHub answers 404 alike for another app's token and for one that is unknown
                    // or expired; the token itself tells them apart: only a live one may read
                    // /rate_limit (which costs no quota and reveals nothing about the person).
                    let probe = try await api.send(.get(apiBase + "/rate_limit", headers: headers(token)))
                    throw probe.status == 401 ? .invalidToken : .wrongAudience
                case 401: throw .providerUnavailable("GitHub refused our client credentials")
                default: throw .providerUnavailable("token check answered HTTP \(response.status)")
                }
            })
    }
}

extension ProviderRegistry.Entry {
    /// GitHub from `GITHUB_CLIENT_ID`/`_SECRET`; `GITHUB_AUTH_URL` and `GITHUB_API_URL` move it.
    @Sendable static func github(_ env: EnvironmentReader, http: any HTTPClient) -> Self {
        let auth = env.endpoint("GITHUB_AUTH_URL", default: "https://github.com")
        let api = env.endpoint("GITHUB_API_URL", default: "https://api.github.com")
        return .configured("github", "GitHub", prefix: "GITHUB", env, http: http) { .github(authBase: auth, apiBase: api) }
    }
}

/// GitHub's profile JSON in our terms (pure, so it can be fuzzed and tested without a server).
public enum GitHubProfile {
    public static func map(user: JSONValue, emails: JSONValue?) throws(SocialAuthError) -> NormalizedProfile {
        guard user.objectValue != nil else { throw .invalidProfile("GitHub /user is not an object") }
        guard let uid = user["id"]?.intValue.map(String.init) else { throw .invalidProfile("GitHub profile has no numeric id") }
        let verified = emails?.arrayValue?.first { entry in
            entry["primary"]?.boolValue == true && entry["verified"]?.boolValue == true && entry["email"]?.nonEmptyString != nil
        }
        return NormalizedProfile(
            uid: uid,
            login: user["login"]?.nonEmptyString,
            name: user["name"]?.nonEmptyString,
            email: verified?["email"]?.nonEmptyString ?? user["email"]?.nonEmptyString,
            emailVerified: verified != nil,
            avatarURL: user["avatar_url"]?.nonEmptyString,
            raw: user)
    }
}

/// Minimal JSON string escaping for hand-built request bodies.
enum JSONString {
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

import Foundation
