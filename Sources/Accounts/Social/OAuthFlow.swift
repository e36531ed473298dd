import Foundation
import Security
import Web

/// The OAuth 2.0 client side, written once for every provider: the authorize URL, the code
/// exchange, refresh, and reading token replies in whichever encoding the provider chose.
public enum OAuthFlow {
    /// The URL to send the browser to.
    public static func authorizeURL(_ provider: ProviderDefinition, clientID: String, redirectURI: String, state: String,
                                    codeChallenge: String?, nonce: String?) -> String {
        var query: [(String, String)] = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI),
            ("scope", provider.scopes.joined(separator: provider.scopeSeparator)), ("state", state),
        ]
        if let codeChallenge { query += [("code_challenge", codeChallenge), ("code_challenge_method", "S256")] }
        if let nonce { query.append(("nonce", nonce)) }
        query += provider.authorizeParameters
        let separator = provider.authorizeURL.contains("?") ? "&" : "?"
        return provider.authorizeURL + separator + ClientRequest.formEncoded(query)
    }

    /// The S256 challenge for a PKCE verifier (RFC 7636 §4.2).
    public static func codeChallenge(for verifier: String) -> String { Base64URL.encode(SHA256.hash(verifier)) }

    /// Exchanges an authorization code for tokens.
    public static func exchange(_ provider: ProviderDefinition, api: ProviderAPI, code: String, redirectURI: String,
                                codeVerifier: String?, now: Int) async throws(SocialAuthError) -> TokenSet {
        var parameters: [(String, String)] = [("code", code), ("redirect_uri", redirectURI)]
        if provider.codeExchangeSendsGrantType { parameters.insert(("grant_type", "authorization_code"), at: 0) }
        if let codeVerifier { parameters.append(("code_verifier", codeVerifier)) }
        return try await tokenRequest(provider, api: api, parameters: parameters, now: now)
    }

    /// Renews tokens with a refresh token.
    public static func refresh(_ provider: ProviderDefinition, api: ProviderAPI, refreshToken: String, now: Int) async throws(SocialAuthError) -> TokenSet {
        try await tokenRequest(provider, api: api, parameters: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], now: now)
    }

    /// One request to the token endpoint, with the provider's client authentication and style.
    static func tokenRequest(_ provider: ProviderDefinition, api: ProviderAPI, parameters: [(String, String)], now: Int) async throws(SocialAuthError) -> TokenSet {
        var parameters = parameters
        var headers = provider.tokenHeaders
        switch provider.clientAuthentication {
        case .secretInBody:
            parameters += [("client_id", api.clientID), ("client_secret", api.clientSecret)]
        case .basic:
            let credentials = FormData.encode(api.clientID) + ":" + FormData.encode(api.clientSecret)
            headers.set("Authorization", "Basic " + Base64.encode(Array(credentials.utf8)))
        }
        let request: ClientRequest
        switch provider.tokenRequestStyle {
        case .postForm:
            request = .post(provider.tokenURL, form: parameters, headers: headers)
        case .getQuery:
            let separator = provider.tokenURL.contains("?") ? "&" : "?"
            request = .get(provider.tokenURL + separator + ClientRequest.formEncoded(parameters), headers: headers)
        }
        let response = try await api.send(request)
        return try parseTokenResponse(response, now: now)
    }

    /// Reads a token reply: JSON or form-encoded (GitHub without `Accept`), with errors that may
    /// arrive as HTTP 200 (GitHub again) or as 4xx.
    public static func parseTokenResponse(_ response: ClientResponse, now: Int) throws(SocialAuthError) -> TokenSet {
        let fields: [String: JSONValue]
        if let json = ProviderAPI.decode(response.body), let object = json.objectValue {
            fields = object
        } else if let text = String(validating: response.body, as: UTF8.self), text.contains("="), !text.contains("<"),
                  let form = FormData(urlEncoded: Substring(text)) {
            fields = Dictionary(form.pairs.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { first, _ in first })
        } else {
            throw .providerUnavailable("token endpoint answered HTTP \(response.status) without a token document")
        }
        if let error = fields["error"] {
            // Facebook nests its errors: {"error": {"message", "type", "code"}}.
            let code = error.stringValue ?? error["type"]?.stringValue ?? "error"
            throw .tokenRejected(code)
        }
        guard (200..<300).contains(response.status) else {
            throw response.status >= 500 ? .providerUnavailable("token endpoint answered HTTP \(response.status)")
                                          : .tokenRejected("HTTP \(response.status)")
        }
        guard let access = fields["access_token"]?.nonEmptyString else { throw .tokenRejected("no access_token in reply") }
        // Lifetimes are the provider's numbers: capped at a century (as good as "never") so that
        // `now + lifetime` cannot overflow and trap the whole process (found by scripts/fuzz).
        func seconds(_ key: String) -> Int? {
            (fields[key]?.intValue ?? fields[key]?.stringValue.flatMap { Int($0) }).map { min($0, 100 * 365 * 86_400) }
        }
        let scope = fields["scope"]?.stringValue ?? ""
        return TokenSet(
            accessToken: access,
            refreshToken: fields["refresh_token"]?.nonEmptyString,
            tokenType: fields["token_type"]?.stringValue ?? "bearer",
            scopes: scope.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init),
            expiresAt: seconds("expires_in").flatMap { $0 > 0 ? now + $0 : nil },
            refreshExpiresAt: seconds("refresh_token_expires_in").flatMap { $0 > 0 ? now + $0 : nil },
            idToken: fields["id_token"]?.nonEmptyString)
    }
}
