import Foundation
import Security
import Synchronization
import Web

/// A local GitHub: the github.com OAuth pages (`/login/oauth/authorize`,
/// `/login/oauth/access_token`) and the api.github.com calls the site makes (`/user`,
/// `/user/emails`, `/applications/{client_id}/token|grant`), both under `baseURL`.
///
/// Quirks kept: the token reply is form-encoded unless the client sends
/// `Accept: application/json`; token errors are HTTP 200 with an `error` field; the API answers
/// 403 without a `User-Agent`; `/user`'s `email` is null when private; `/user/emails` needs the
/// `user:email` (or `user`) scope. OAuth-App tokens (`gho_`) never expire; GitHub-App user tokens
/// (`ghu_`) last 8 hours and come with rotating refresh tokens (`ghr_`).
public final class GitHubFake: FakeProvider {
    /// Which kind of GitHub app a client is; it decides the token format and lifetime.
    public enum ClientKind: Sendable, Equatable {
        /// An OAuth App: `gho_` tokens that never expire, no refresh token.
        case oauthApp
        /// A GitHub App acting for a user: `ghu_` tokens for 8 hours plus `ghr_` refresh tokens.
        case gitHubApp
    }

    struct State {
        var users: [GitHubUser] = []
        var clients: [String: (client: RegisteredClient, kind: ClientKind)] = [:]
        var nextAuthorizationUser: Int?
    }

    /// Lifetime of a GitHub-App user access token (8 hours).
    public static let userTokenLifetime = 28_800
    /// Lifetime of a GitHub-App refresh token (about 6 months).
    public static let refreshTokenLifetime = 15_897_600
    static let tokenErrorDocs = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/"

    /// The server, request log, fault board and grants behind this fake.
    public let server = FakeServer()
    let state = Mutex(State())

    /// Starts a fake GitHub with one registered client of `kind`.
    public init(clientID: String = "github-client-id", clientSecret: String = "github-client-secret",
                kind: ClientKind = .oauthApp) throws {
        addClient(id: clientID, secret: clientSecret, kind: kind)
        server.route(.get, "/login/oauth/authorize", .authorize, owner: self, GitHubFake.authorize)
        server.route(.post, "/login/oauth/access_token", .token, owner: self, GitHubFake.token)
        server.route(.get, "/user", .profile, owner: self, GitHubFake.user)
        server.route(.get, "/user/emails", .emails, owner: self, GitHubFake.emails)
        server.route(.get, "/rate_limit", .tokenInfo, owner: self, GitHubFake.rateLimit)
        server.route(.post, "/applications/:client_id/token", .tokenInfo, owner: self, GitHubFake.checkToken)
        server.route(.delete, "/applications/:client_id/token", .revoke, owner: self, GitHubFake.deleteToken)
        server.route(.delete, "/applications/:client_id/grant", .revoke, owner: self, GitHubFake.deleteGrant)
        try server.start()
    }

    /// The base to configure for github.com (authorize and token endpoints).
    public var webBaseURL: String { baseURL }
    /// The base to configure for api.github.com.
    public var apiBaseURL: String { baseURL }

    /// Registers (or replaces) a client. With `callbackURL`, redirect URIs must lie under it.
    public func addClient(id: String, secret: String, kind: ClientKind = .oauthApp, callbackURL: String? = nil) {
        let client = RegisteredClient(id: id, secret: secret, redirectURIs: callbackURL.map { [$0] } ?? [])
        state.withLock { $0.clients[id] = (client, kind) }
    }

    /// Registers a user; the first one added approves authorizations unless
    /// `nextAuthorizationUser` says otherwise. Addresses not shown publicly are `private` if
    /// primary, as GitHub reports them.
    @discardableResult
    public func addUser(id: Int, login: String, name: String? = nil, publicEmail: String? = nil, avatarURL: String? = nil,
                        emails: [(email: String, primary: Bool, verified: Bool)] = []) -> GitHubUser {
        let addresses = emails.map { entry in
            GitHubEmail(email: entry.email, primary: entry.primary, verified: entry.verified,
                        visibility: entry.email == publicEmail ? "public" : (entry.primary ? "private" : nil))
        }
        let user = GitHubUser(id: id, login: login, name: name, publicEmail: publicEmail, avatarURL: avatarURL, emails: addresses)
        state.withLock { state in
            state.users.removeAll { $0.id == id }
            state.users.append(user)
        }
        return user
    }

    /// Changes a registered user in place (a rename, a newly verified address); false if unknown.
    @discardableResult
    public func updateUser(id: Int, _ change: (inout GitHubUser) -> Void) -> Bool {
        state.withLock { state in
            guard let index = state.users.firstIndex(where: { $0.id == id }) else { return false }
            change(&state.users[index])
            return true
        }
    }

    /// The registered users.
    public var users: [GitHubUser] { state.withLock { $0.users } }

    /// The id of the user signed in to GitHub's browser session, who approves authorizations from
    /// now on; nil means the first user added.
    public var nextAuthorizationUser: Int? {
        get { state.withLock { $0.nextAuthorizationUser } }
        set { state.withLock { $0.nextAuthorizationUser = newValue } }
    }

    func user(id: Int) -> GitHubUser? { state.withLock { $0.users.first { $0.id == id } } }

    func registeredClient(_ id: String) -> (client: RegisteredClient, kind: ClientKind)? { state.withLock { $0.clients[id] } }

    // MARK: github.com

    func authorize(_ exchange: Exchange) throws -> Response {
        let query = exchange.query
        guard let clientID = query["client_id"], let client = registeredClient(clientID)?.client else {
            return Wire.html("Page not found", "This is not the web page you are looking for.", status: .notFound)
        }
        let statePair: [(String, String)] = query["state"].map { [("state", $0)] } ?? []
        guard let redirectURI = query["redirect_uri"] ?? client.redirectURIs.first else {
            return Wire.html("Bad request", "No redirect_uri, and the application has no callback URL.", status: .badRequest)
        }
        if let callback = client.redirectURIs.first, !redirectURI.hasPrefix(callback) {
            // GitHub reports the mismatch at the registered callback, never at the unregistered URI.
            return Wire.redirect(callback, [("error", "redirect_uri_mismatch"),
                                            ("error_description", "The redirect_uri MUST match the registered callback URL for this application."),
                                            ("error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch")] + statePair)
        }
        if exchange.fault == .deny {
            return Wire.redirect(redirectURI, [("error", "access_denied"),
                                               ("error_description", "The user has denied your application access."),
                                               ("error_uri", "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied")] + statePair)
        }
        let challenge = query["code_challenge"]
        if challenge != nil, query["code_challenge_method"] != "S256" {
            return Wire.redirect(redirectURI, [("error", "invalid_request"),
                                               ("error_description", "code_challenge_method must be S256.")] + statePair)
        }
        let approver = state.withLock { state in
            state.users.first { $0.id == state.nextAuthorizationUser } ?? (state.nextAuthorizationUser == nil ? state.users.first : nil)
        }
        guard let approver else { return Wire.html("Sign in to GitHub", "Sign in to GitHub to continue.") }
        let authorization = Authorization(userKey: String(approver.id), clientID: clientID, redirectURI: query["redirect_uri"],
                                          scopes: Wire.scopes(query["scope"]), codeChallenge: challenge, nonce: nil)
        let code = server.grants.withLock { $0.issueCode(authorization, code: Wire.token(length: 20).lowercased()) }
        return Wire.redirect(redirectURI, [("code", code)] + statePair)
    }

    func token(_ exchange: Exchange) throws -> Response {
        let fields = exchange.fields
        let json = exchange.header("Accept")?.lowercased().contains("application/json") == true
        let credentials = Wire.basic(exchange.request) ?? (fields["client_id"] ?? "", fields["client_secret"] ?? "")
        guard let entry = registeredClient(credentials.id), entry.client.secret == credentials.secret else {
            return Self.tokenError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.",
                                   anchor: "incorrect-client-credentials", json: json)
        }
        let (client, kind) = (entry.client, entry.kind)
        if fields["grant_type"] == "refresh_token" {
            return refresh(fields["refresh_token"] ?? "", client: client, kind: kind, json: json)
        }
        let badCode = Self.tokenError("bad_verification_code", "The code passed is incorrect or expired.",
                                      anchor: "bad-verification-code", json: json)
        let code = fields["code"] ?? ""
        guard case let .success(authorization) = server.grants.withLock({ $0.peek(code) }),
              authorization.clientID == client.id else { return badCode }
        if let sent = fields["redirect_uri"], sent != authorization.redirectURI {
            return Self.tokenError("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.",
                                   anchor: "redirect-uri-mismatch", json: json)
        }
        let verifier = fields["code_verifier"]
        let pkceHolds = switch (authorization.codeChallenge, verifier) {
        case (nil, nil): true
        case let (challenge?, verifier?): PKCE.verify(verifier: verifier, challenge: challenge)
        default: false
        }
        guard pkceHolds else {
            return Self.tokenError("bad_verification_code",
                                   "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
                                   anchor: "bad-verification-code", json: json)
        }
        guard case .success = server.grants.withLock({ $0.redeem(code) }) else { return badCode }
        return Self.reply(issueTokens(for: authorization.userKey, client: client.id, kind: kind, scopes: authorization.scopes, family: code),
                          json: json)
    }

    private func refresh(_ refreshToken: String, client: RegisteredClient, kind: ClientKind, json: Bool) -> Response {
        let rotated: IssuedToken? = server.grants.withLock { grants in
            guard kind == .gitHubApp, case let .active(token) = grants.status(of: refreshToken, kind: .refresh),
                  token.clientID == client.id else { return nil }
            grants.revoke(refreshToken)
            return token
        }
        guard let rotated else {
            return Self.tokenError("bad_refresh_token", "The refresh token passed is incorrect or expired.",
                                   anchor: "bad-refresh-token", json: json)
        }
        return Self.reply(issueTokens(for: rotated.userKey, client: client.id, kind: kind, scopes: rotated.scopes, family: rotated.family),
                          json: json)
    }

    private func issueTokens(for userKey: String, client: String, kind: ClientKind, scopes: [String],
                             family: String) -> [(String, JSONValue)] {
        server.grants.withLock { grants in
            switch kind {
            case .oauthApp:
                let access = grants.issue(.access, value: Wire.token(prefix: "gho_", length: 36), userKey: userKey, clientID: client,
                                          scopes: scopes, lifetime: nil, family: family)
                return [("access_token", .string(access.value)), ("scope", .string(scopes.joined(separator: ","))),
                        ("token_type", "bearer")]
            case .gitHubApp:
                // GitHub Apps have permissions, not scopes: the token carries none.
                let access = grants.issue(.access, value: Wire.token(prefix: "ghu_", length: 36), userKey: userKey, clientID: client,
                                          scopes: [], lifetime: TimeInterval(Self.userTokenLifetime), family: family)
                let refresh = grants.issue(.refresh, value: Wire.token(prefix: "ghr_", length: 76), userKey: userKey, clientID: client,
                                           scopes: [], lifetime: TimeInterval(Self.refreshTokenLifetime), family: family)
                return [("access_token", .string(access.value)), ("expires_in", .int(Self.userTokenLifetime)),
                        ("refresh_token", .string(refresh.value)), ("refresh_token_expires_in", .int(Self.refreshTokenLifetime)),
                        ("scope", ""), ("token_type", "bearer")]
            }
        }
    }

    /// A token-endpoint error: HTTP 200 regardless, JSON or form as the client asked.
    static func tokenError(_ code: String, _ description: String, anchor: String, json: Bool) -> Response {
        reply([("error", .string(code)), ("error_description", .string(description)),
               ("error_uri", .string(tokenErrorDocs + "#" + anchor))], json: json)
    }

    /// The token endpoint's reply: JSON with `Accept: application/json`, else form-encoded.
    static func reply(_ pairs: [(String, JSONValue)], json: Bool) -> Response {
        if json { return Wire.json(.object(Dictionary(pairs, uniquingKeysWith: { first, _ in first }))) }
        return Wire.form(pairs.map { name, value in (name, value.stringValue ?? value.intValue.map(String.init) ?? "") })
    }
}
