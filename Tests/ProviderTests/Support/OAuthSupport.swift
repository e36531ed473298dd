import Foundation
import Security
import Testing
import Web
import WebTesting

/// A PKCE verifier and its S256 challenge, computed the way a client would.
struct PKCEPair {
    let verifier: String
    let challenge: String

    init(verifier: String = SecureRandom.token(byteCount: 32)) {
        self.verifier = verifier
        challenge = Base64URL.encode(SHA256.hash(verifier))
    }
}

/// The query parameters of a redirect's `Location`, by name.
func queryParameters(_ location: String?) -> [String: String] {
    guard let location, let items = URLComponents(string: location)?.queryItems else { return [:] }
    var result: [String: String] = [:]
    for item in items where result[item.name] == nil { result[item.name] = item.value ?? "" }
    return result
}

/// An authorization request's parameters, ready for a query string or the consent form.
func authorizeParameters(_ client: TestOAuthClient, scope: String? = "openid profile email", state: String? = "xyz-state",
                         pkce: PKCEPair? = nil, nonce: String? = nil, redirectURI: String? = nil,
                         extra: [(String, String)] = []) -> [(String, String)] {
    var parameters: [(String, String)] = [("response_type", "code"), ("client_id", client.id),
                                          ("redirect_uri", redirectURI ?? client.redirectURI)]
    if let scope { parameters.append(("scope", scope)) }
    if let state { parameters.append(("state", state)) }
    if let pkce { parameters += [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")] }
    if let nonce { parameters.append(("nonce", nonce)) }
    return parameters + extra
}

/// `/oauth/authorize?…` for `parameters`.
func authorizePath(_ parameters: [(String, String)]) -> String {
    "/oauth/authorize?" + FormData(parameters).encoded
}

extension TestClient {
    /// The value of a hidden input in `html`.
    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let nameRange = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[nameRange.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return decodeEntities(String(rest[..<end]))
    }

    /// Undoes HTML escaping: named entities for the five special characters and numeric ones.
    static func decodeEntities(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            if let value = named[String(entity)] {
                out += value
            } else if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let code = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
            } else if entity.hasPrefix("#"), let code = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
            } else {
                out += rest[amp...semi]
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    /// The CSRF token from the form on the page at `path`.
    func csrfToken(from path: String = "/login") async -> String {
        Self.hiddenField("csrf_token", in: await get(path).text) ?? ""
    }

    /// Signs in through the form; returns the immediate response (a redirect on success).
    @discardableResult
    func signIn(_ username: String, password: String = TestProvider.password, next: String? = nil) async -> TestResponse {
        let token = await csrfToken(from: "/login")
        var form = [("csrf_token", token), ("username", username), ("password", password)]
        if let next { form.append(("next", next)) }
        return await post("/login", form: form)
    }

    /// Goes through the browser part of the code flow, allowing on the consent page if shown,
    /// and returns the redirect back to the client.
    func authorize(_ parameters: [(String, String)]) async throws -> TestResponse {
        let first = await get(authorizePath(parameters))
        if first.status == .found { return first }
        try #require(first.status == .ok, "expected the consent page, got \(first.status.code): \(first.text.prefix(300))")
        let token = try #require(Self.hiddenField("csrf_token", in: first.text))
        return await post("/oauth/authorize", form: parameters + [("csrf_token", token), ("decision", "allow")])
    }

    /// The code from a successful authorization, checked to come back with the state.
    func authorizationCode(_ parameters: [(String, String)]) async throws -> String {
        let response = try await authorize(parameters)
        try #require(response.status == .found, "authorization did not redirect: \(response.status.code)")
        let query = queryParameters(response.location)
        #expect(query["error"] == nil, "authorization failed: \(query)")
        return try #require(query["code"])
    }

    /// POSTs a token request (or any form) to `path`.
    func token(_ form: [(String, String)], headers: HTTPHeaders = HTTPHeaders(), path: String = "/oauth/token") async -> TestResponse {
        await post(path, form: form, headers: headers)
    }
}

extension TestResponse {
    /// The JSON body as an object of strings and numbers, for quick checks.
    var fields: [String: Any] { jsonObject() ?? [:] }

    /// The `error` code of an OAuth error reply.
    var oauthError: String? { fields["error"] as? String }
}
