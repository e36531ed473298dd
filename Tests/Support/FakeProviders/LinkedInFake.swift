import Foundation
import Security
import Synchronization
import Web

/// A local LinkedIn ("Sign In with LinkedIn using OpenID Connect"): the www.linkedin.com OAuth
/// pages (`/oauth/v2/authorization`, `/oauth/v2/accessToken`, `/oauth/v2/introspectToken`,
/// `/oauth/v2/revoke`, discovery at `/oauth/.well-known/openid-configuration`, JWKS at
/// `/oauth/openid/jwks`) and api.linkedin.com's `/v2/userinfo`, all under `baseURL`.
///
/// Quirks kept: the issuer is `<baseURL>/oauth`; the token endpoint takes client_secret_post only
/// (Basic auth is `invalid_client`) and refuses PKCE from a web app (`invalid_client`); scopes in
/// the token reply are comma-joined; the id_token has no `nonce` and its `email_verified` is the
/// string `"true"`; userinfo's `locale` is an object `{country, language}`; a cancelled consent
/// comes back as `error=user_cancelled_authorize`; scopes beyond `allowedScopes` come back as
/// `unauthorized_scope_error`; access tokens last 60 days and there are no refresh tokens.
public final class LinkedInFake: FakeProvider {
    struct State {
        var directory = OpenIDDirectory()
        var allowedScopes: Set<String> = ["openid", "profile", "email"]
        /// The issuer its id_tokens carry when not `<baseURL>/oauth` (LinkedIn's real one, say).
        var issuer: String?
    }

    /// `expires_in` of an access token (60 days).
    public static let accessTokenLifetime = 5_184_000

    /// The server, request log, fault board and grants behind this fake.
    public let server = FakeServer()
    let state = Mutex(State())
    let minter = IDTokenMinter(key: SigningKeys.linkedIn, kid: "d929668a-bab1-4c69-9598-4373149723ff", rogue: SigningKeys.rogue)

    /// Starts a fake LinkedIn with one registered client.
    public init(clientID: String = "linkedin-client-id", clientSecret: String = "linkedin-client-secret") throws {
        addClient(id: clientID, secret: clientSecret)
        server.route(.get, "/oauth/v2/authorization", .authorize, owner: self, LinkedInFake.authorize)
        server.route(.post, "/oauth/v2/accessToken", .token, owner: self, LinkedInFake.accessToken)
        server.route(.get, "/v2/userinfo", .profile, owner: self, LinkedInFake.userinfo)
        server.route(.post, "/oauth/v2/introspectToken", .tokenInfo, owner: self, LinkedInFake.introspect)
        server.route(.post, "/oauth/v2/revoke", .revoke, owner: self, LinkedInFake.revoke)
        server.route(.get, "/oauth/.well-known/openid-configuration", .discovery, owner: self, LinkedInFake.discovery)
        server.route(.get, "/oauth/openid/jwks", .jwks, owner: self, LinkedInFake.jwks)
        try server.start()
    }

    /// The base to configure for www.linkedin.com.
    public var wwwBaseURL: String { baseURL }
    /// The base to configure for api.linkedin.com.
    public var apiBaseURL: String { baseURL }
    /// The id_token issuer: `<baseURL>/oauth`, as LinkedIn's is `https://www.linkedin.com/oauth`,
    /// unless `useIssuer` set another.
    public var issuer: String { state.withLock { $0.issuer } ?? baseURL + "/oauth" }

    /// Makes id_tokens (and discovery) carry `issuer`, as a fake standing in for LinkedIn
    /// behind moved URLs would: LinkedIn's own issuer, whatever URL reaches it.
    public func useIssuer(_ issuer: String) { state.withLock { $0.issuer = issuer } }
    /// The key set served at `/oauth/openid/jwks`.
    public var keySet: JWKSet { minter.keySet }

    /// Registers (or replaces) a client. With `redirectURIs`, only those exact URIs are accepted.
    public func addClient(id: String, secret: String, redirectURIs: [String] = []) {
        state.withLock { $0.directory.clients[id] = RegisteredClient(id: id, secret: secret, redirectURIs: redirectURIs) }
    }

    /// Registers a member; the first one added approves authorizations unless
    /// `nextAuthorizationUser` says otherwise.
    @discardableResult
    public func addUser(sub: String, name: String, givenName: String? = nil, familyName: String? = nil, email: String? = nil,
                        emailVerified: Bool = true, picture: String? = nil, locale: String = "en-US") -> OpenIDUser {
        let user = OpenIDUser(sub: sub, name: name, givenName: givenName, familyName: familyName, email: email,
                              emailVerified: emailVerified, picture: picture, locale: locale)
        state.withLock { $0.directory.add(user) }
        return user
    }

    /// Changes a registered member in place; false if unknown.
    @discardableResult
    public func updateUser(sub: String, _ change: (inout OpenIDUser) -> Void) -> Bool {
        state.withLock { $0.directory.update(sub: sub, change) }
    }

    /// The member (by `sub`) signed in to LinkedIn's browser session, who approves authorizations
    /// from now on; nil means the first user added.
    public var nextAuthorizationUser: String? {
        get { state.withLock { $0.directory.nextAuthorizationUser } }
        set { state.withLock { $0.directory.nextAuthorizationUser = newValue } }
    }

    /// Scopes the app is provisioned for; others are refused at the authorize step.
    public var allowedScopes: Set<String> {
        get { state.withLock { $0.allowedScopes } }
        set { state.withLock { $0.allowedScopes = newValue } }
    }

    /// LinkedIn's OAuth error body.
    static func oauthError(_ code: String, _ description: String, status: HTTPStatus = .badRequest) -> Response {
        Wire.json(["error": .string(code), "error_description": .string(description)], status: status)
    }

    static let clientAuthenticationFailed = oauthError("invalid_client", "Client authentication failed", status: .unauthorized)

    func authorize(_ exchange: Exchange) throws -> Response {
        let query = exchange.query
        guard let client = state.withLock({ $0.directory.clients[query["client_id"] ?? ""] }) else {
            return Wire.html("Error", "The passed in client_id is invalid.", status: .badRequest)
        }
        guard let redirectURI = query["redirect_uri"], client.redirectURIs.isEmpty || client.redirectURIs.contains(redirectURI) else {
            return Wire.html("Error", "The redirect_uri does not match the registered value.", status: .badRequest)
        }
        let statePair: [(String, String)] = query["state"].map { [("state", $0)] } ?? []
        guard query["response_type"] == "code" else {
            return Wire.redirect(redirectURI, [("error", "invalid_request"), ("error_description", "Invalid response_type")] + statePair)
        }
        let scopes = Wire.scopes(query["scope"])
        let allowed = allowedScopes
        if let refused = scopes.first(where: { !allowed.contains($0) }) {
            return Wire.redirect(redirectURI, [("error", "unauthorized_scope_error"),
                                               ("error_description", "Scope \"\(refused)\" is not authorized for your application")] + statePair)
        }
        if exchange.fault == .deny {
            return Wire.redirect(redirectURI, [("error", "user_cancelled_authorize"),
                                               ("error_description", "The user cancelled the authorization")] + statePair)
        }
        guard let approver = state.withLock({ $0.directory.approver }) else {
            return Wire.html("LinkedIn Login", "Sign in to LinkedIn to continue.")
        }
        // The challenge is remembered only so the token step can refuse it, as LinkedIn does.
        let authorization = Authorization(userKey: approver.sub, clientID: client.id, redirectURI: redirectURI, scopes: scopes,
                                          codeChallenge: query["code_challenge"], nonce: query["nonce"])
        let code = server.grants.withLock { $0.issueCode(authorization, code: "AQ" + Wire.token(length: 160)) }
        return Wire.redirect(redirectURI, [("code", code)] + statePair)
    }

    func accessToken(_ exchange: Exchange) throws -> Response {
        guard exchange.request.mediaType == "application/x-www-form-urlencoded" else {
            return Self.oauthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        }
        if Wire.hasBasic(exchange.request) { return Self.clientAuthenticationFailed }
        let form = exchange.bodyForm
        if form["code_verifier"] != nil { return Self.clientAuthenticationFailed }
        guard form["grant_type"] == "authorization_code" else {
            return Self.oauthError("unsupported_grant_type", "The grant_type is not supported")
        }
        for name in ["code", "redirect_uri", "client_id", "client_secret"] where form[name] == nil {
            return Self.oauthError("invalid_request", "A required parameter \"\(name)\" is missing")
        }
        guard let client = state.withLock({ $0.directory.client(form["client_id"], secret: form["client_secret"]) }) else {
            return Self.clientAuthenticationFailed
        }
        let code = form["code"] ?? ""
        let mismatch = Self.oauthError("invalid_request", "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists")
        let authorization: Authorization
        switch server.grants.withLock({ $0.peek(code) }) {
        case let .success(found): authorization = found
        case .failure(.unknown): return Self.oauthError("invalid_request", "Unable to retrieve access token: authorization code not found")
        case .failure: return mismatch
        }
        guard authorization.clientID == client.id, authorization.redirectURI == form["redirect_uri"] else { return mismatch }
        if authorization.codeChallenge != nil { return Self.clientAuthenticationFailed }
        guard case .success = server.grants.withLock({ $0.redeem(code) }),
              let user = state.withLock({ $0.directory.user(authorization.userKey) }) else { return mismatch }
        let token = server.grants.withLock {
            $0.issue(.access, value: "AQV" + Wire.token(length: 180), userKey: user.sub, clientID: client.id,
                     scopes: authorization.scopes, lifetime: TimeInterval(Self.accessTokenLifetime), family: code)
        }
        var reply: [String: JSONValue] = [
            "access_token": .string(token.value), "expires_in": .int(Self.accessTokenLifetime),
            "scope": .string(authorization.scopes.sorted().joined(separator: ",")), "token_type": "Bearer",
        ]
        if authorization.scopes.contains("openid") {
            reply["id_token"] = .string(try idToken(for: user, audience: client.id, scopes: authorization.scopes, fault: exchange.fault))
        }
        return Wire.json(.object(reply))
    }

    /// LinkedIn's id_token: no nonce even when one was sent, `email_verified` as a string.
    private func idToken(for user: OpenIDUser, audience: String, scopes: [String], fault: FakeFault?) throws -> String {
        var claims = user.claims(scopes: scopes)
        if let verified = claims["email_verified"]?.boolValue { claims["email_verified"] = .string(verified ? "true" : "false") }
        return try minter.mint(issuer: issuer, audience: audience, subject: user.sub, claims: claims, fault: fault)
    }
}
