import Runtime
import Security
import Web

/// One identity provider, declared as data: where its endpoints are, how its token request
/// looks, which quirks it has, and how its profile maps to ours. The flow that uses this is
/// written once, in `OAuthFlow` and `SocialAuthService`.
public struct ProviderDefinition: Sendable {
    /// How the code is exchanged for a token.
    public enum TokenRequestStyle: Sendable { case postForm, getQuery }
    /// How the client proves who it is at the token endpoint.
    public enum ClientAuthentication: Sendable { case secretInBody, basic }

    /// Our short name, used in URLs and the database (`github`).
    public let id: String
    /// The name people see (`GitHub`).
    public let displayName: String
    public var authorizeURL: String
    public var tokenURL: String
    public var scopes: [String]
    /// `" "` for most, `","` for Facebook.
    public var scopeSeparator: String = " "
    public var tokenRequestStyle: TokenRequestStyle = .postForm
    /// Facebook's code exchange takes no `grant_type`; everyone else's requires it.
    public var codeExchangeSendsGrantType = true
    public var clientAuthentication: ClientAuthentication = .secretInBody
    /// Send PKCE S256 (not LinkedIn: it refuses PKCE from web apps).
    public var usesPKCE: Bool
    /// Extra authorize parameters (`response_type=code` is always sent).
    public var authorizeParameters: [(String, String)] = []
    /// Headers for the token endpoint (GitHub needs `Accept: application/json` to get JSON).
    public var tokenHeaders: HTTPHeaders = ["Accept": "application/json"]
    /// OpenID Connect id_token checks, when the provider issues one.
    public var openID: OpenIDSettings?
    /// Whether refresh tokens are used to renew access.
    public var supportsRefresh: Bool = false
    /// Fetches and maps the profile with a fresh token.
    public var fetchProfile: @Sendable (ProviderAPI, TokenSet) async throws(SocialAuthError) -> NormalizedProfile
    /// Runs after the code exchange (Facebook swaps the short-lived token for a long-lived one).
    public var afterExchange: (@Sendable (ProviderAPI, TokenSet) async throws(SocialAuthError) -> TokenSet)?
    /// Revokes our grant upstream, when the provider supports it.
    public var revoke: (@Sendable (ProviderAPI, _ accessToken: String, _ uid: String) async throws(SocialAuthError) -> Void)?
    /// Checks that a token handed to us by a front end was issued to our app (API sign-in).
    public var checkAudience: (@Sendable (ProviderAPI, _ accessToken: String) async throws(SocialAuthError) -> Void)?
}

/// What an id_token must satisfy.
public struct OpenIDSettings: Sendable {
    public var issuer: String
    public var jwksURL: String
    /// LinkedIn sends no nonce; generic providers must echo ours.
    public var checksNonce: Bool
}

/// A provider's credentials and outbound HTTP, handed to the per-provider functions. Calls to
/// one provider pass a gate of `callsInFlight` places, so a provider that stops answering holds
/// at most that many outbound threads; a call that cannot get a place before the sign-in's
/// deadline is `providerUnavailable`.
public struct ProviderAPI: Sendable {
    public let clientID: String
    public let clientSecret: String
    public let http: any HTTPClient
    let gate: AsyncGate

    /// Credentials and a client, with at most `callsInFlight` calls to this provider at once.
    public init(clientID: String, clientSecret: String, http: any HTTPClient, callsInFlight: Int = 16) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
        gate = AsyncGate(limit: callsInFlight)
    }

    /// GETs `url` and decodes a JSON document; non-2xx, transport failures and non-JSON become
    /// `providerUnavailable` unless `status` is listed in `passing`.
    public func getJSON(_ url: String, headers: HTTPHeaders = [:], passing: Set<Int> = []) async throws(SocialAuthError) -> (status: Int, json: JSONValue) {
        try await sendJSON(.get(url, headers: headers), passing: passing)
    }

    /// Sends `request` and decodes its JSON body (see `getJSON`).
    public func sendJSON(_ request: ClientRequest, passing: Set<Int> = []) async throws(SocialAuthError) -> (status: Int, json: JSONValue) {
        let response = try await send(request)
        guard (200..<300).contains(response.status) || passing.contains(response.status) else {
            throw .providerUnavailable("HTTP \(response.status) from \(Self.endpoint(request.url))")
        }
        guard let json = Self.decode(response.body) else {
            throw .providerUnavailable("malformed JSON from \(Self.endpoint(request.url))")
        }
        return (response.status, json)
    }

    /// Sends `request`, mapping transport failures (and a provider with every place taken).
    public func send(_ request: ClientRequest) async throws(SocialAuthError) -> ClientResponse {
        let http = http
        do {
            return try await gate.run(timeout: OutboundDeadline.remaining ?? 30) { try await http.send(request) }
        } catch is AsyncGate.Timeout {
            throw .providerUnavailable("too many calls in flight to \(Self.endpoint(request.url))")
        } catch {
            throw .providerUnavailable("\(error) calling \(Self.endpoint(request.url))")
        }
    }

    /// JSON bytes as a value; nil for anything that is not JSON (an HTML error page, say).
    public static func decode(_ body: [UInt8]) -> JSONValue? {
        try? JSONDecoderShared.decode(body)
    }

    /// The URL without its query, which may hold tokens and must never be logged.
    static func endpoint(_ url: String) -> String { String(url.split(separator: "?", maxSplits: 1).first ?? "") }
}

/// JSON decoding into `JSONValue`.
enum JSONDecoderShared {
    static func decode(_ body: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body))
    }
}

import Foundation
