import Foundation
import Security
import Synchronization
import Web

/// A local standards-following OpenID Connect provider, like Keycloak or Google: discovery
/// (RFC 8414 / OIDC Discovery) at `/.well-known/openid-configuration`, `/authorize` with nonce
/// and PKCE S256 (verified), `/token` (client_secret_basic or _post; authorization_code and
/// rotating refresh_token grants), `/userinfo`, `/jwks`, `/revoke` (RFC 7009) and `/introspect`
/// (RFC 7662), all under `baseURL`, which is also the issuer.
///
/// Security behaviour kept: codes are single-use and replaying one revokes what it produced;
/// a rotated refresh token presented again revokes its whole family; access tokens last 5 minutes.
public final class OIDCFake: FakeProvider {
    struct State {
        var directory = OpenIDDirectory()
        var requiresPKCE = false
    }

    /// `expires_in` of an access token.
    public static let accessTokenLifetime = 300
    /// `refresh_expires_in` of a refresh token.
    public static let refreshTokenLifetime = 1800

    /// The server, request log, fault board and grants behind this fake.
    public let server = FakeServer()
    let state = Mutex(State())
    let minter = IDTokenMinter(key: SigningKeys.openID, kid: "oidc-fake-key-1", rogue: SigningKeys.rogue)

    /// Starts a fake provider with one registered client.
    public init(clientID: String = "oidc-client-id", clientSecret: String = "oidc-client-secret") throws {
        addClient(id: clientID, secret: clientSecret)
        server.route(.get, "/.well-known/openid-configuration", .discovery, owner: self, OIDCFake.discovery)
        server.route(.get, "/authorize", .authorize, owner: self, OIDCFake.authorize)
        server.route(.post, "/token", .token, owner: self, OIDCFake.token)
        server.route(.get, "/userinfo", .profile, owner: self, OIDCFake.userinfo)
        server.route(.post, "/userinfo", .profile, owner: self, OIDCFake.userinfo)
        server.route(.get, "/jwks", .jwks, owner: self, OIDCFake.jwks)
        server.route(.post, "/revoke", .revoke, owner: self, OIDCFake.revoke)
        server.route(.post, "/introspect", .tokenInfo, owner: self, OIDCFake.introspect)
        try server.start()
    }

    /// The issuer, which is `baseURL`; configure the site with it and let it discover the rest.
    public var issuer: String { baseURL }
    /// The discovery document's URL.
    public var discoveryURL: String { baseURL + "/.well-known/openid-configuration" }
    /// The key set served at `/jwks`.
    public var keySet: JWKSet { minter.keySet }

    /// Registers (or replaces) a client. With `redirectURIs`, only those exact URIs are accepted.
    public func addClient(id: String, secret: String, redirectURIs: [String] = []) {
        state.withLock { $0.directory.clients[id] = RegisteredClient(id: id, secret: secret, redirectURIs: redirectURIs) }
    }

    /// Registers a user; the first one added approves authorizations unless
    /// `nextAuthorizationUser` says otherwise.
    @discardableResult
    public func addUser(sub: String, name: String, givenName: String? = nil, familyName: String? = nil, email: String? = nil,
                        emailVerified: Bool = true, picture: String? = nil, locale: String = "en-US",
                        preferredUsername: String? = nil) -> OpenIDUser {
        let user = OpenIDUser(sub: sub, name: name, givenName: givenName, familyName: familyName, email: email,
                              emailVerified: emailVerified, picture: picture, locale: locale, preferredUsername: preferredUsername)
        state.withLock { $0.directory.add(user) }
        return user
    }

    /// Changes a registered user in place; false if unknown.
    @discardableResult
    public func updateUser(sub: String, _ change: (inout OpenIDUser) -> Void) -> Bool {
        state.withLock { $0.directory.update(sub: sub, change) }
    }

    /// The user (by `sub`) signed in at the provider, who approves authorizations from now on;
    /// nil means the first user added.
    public var nextAuthorizationUser: String? {
        get { state.withLock { $0.directory.nextAuthorizationUser } }
        set { state.withLock { $0.directory.nextAuthorizationUser = newValue } }
    }

    /// Whether authorize refuses requests without a PKCE challenge (OAuth 2.1 style).
    public var requiresPKCE: Bool {
        get { state.withLock { $0.requiresPKCE } }
        set { state.withLock { $0.requiresPKCE = newValue } }
    }

    /// An RFC 6749 §5.2 error body, never cached.
    static func oauthError(_ code: String, _ description: String, status: HTTPStatus = .badRequest,
                           headers: HTTPHeaders = [:]) -> Response {
        var all = headers
        all.add("Cache-Control", "no-store")
        return Wire.json(["error": .string(code), "error_description": .string(description)], status: status, headers: all)
    }

    func discovery(_ exchange: Exchange) throws -> Response {
        let authMethods: JSONValue = ["client_secret_basic", "client_secret_post"]
        return Wire.json([
            "issuer": .string(issuer),
            "authorization_endpoint": .string(baseURL + "/authorize"),
            "token_endpoint": .string(baseURL + "/token"),
            "userinfo_endpoint": .string(baseURL + "/userinfo"),
            "jwks_uri": .string(baseURL + "/jwks"),
            "revocation_endpoint": .string(baseURL + "/revoke"),
            "introspection_endpoint": .string(baseURL + "/introspect"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": authMethods,
            "revocation_endpoint_auth_methods_supported": authMethods,
            "introspection_endpoint_auth_methods_supported": authMethods,
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "name", "given_name",
                                 "family_name", "preferred_username", "picture", "locale", "email", "email_verified"],
            "authorization_response_iss_parameter_supported": true,
        ])
    }

    func jwks(_ exchange: Exchange) throws -> Response { Wire.encoded(minter.keySet) }

    func authorize(_ exchange: Exchange) throws -> Response {
        let query = exchange.query
        guard let client = state.withLock({ $0.directory.clients[query["client_id"] ?? ""] }) else {
            return Wire.html("Client not found", "The client_id is not registered.", status: .badRequest)
        }
        guard let redirectURI = query["redirect_uri"], client.redirectURIs.isEmpty || client.redirectURIs.contains(redirectURI) else {
            return Wire.html("Invalid parameter", "Invalid parameter: redirect_uri", status: .badRequest)
        }
        // RFC 9207: every authorization response names its issuer, against mix-up attacks.
        let trailer: [(String, String)] = (query["state"].map { [("state", $0)] } ?? []) + [("iss", issuer)]
        func refuse(_ error: String, _ description: String) -> Response {
            Wire.redirect(redirectURI, [("error", error), ("error_description", description)] + trailer)
        }
        guard query["response_type"] == "code" else { return refuse("unsupported_response_type", "Only response_type=code is supported") }
        let challenge = query["code_challenge"]
        if challenge != nil, query["code_challenge_method"] != "S256" {
            return refuse("invalid_request", "Invalid parameter: code_challenge_method")
        }
        if challenge == nil, requiresPKCE { return refuse("invalid_request", "Missing parameter: code_challenge") }
        if exchange.fault == .deny { return refuse("access_denied", "The resource owner denied the request") }
        guard let approver = state.withLock({ $0.directory.approver }) else { return Wire.html("Sign in", "Sign in to continue.") }
        let authorization = Authorization(userKey: approver.sub, clientID: client.id, redirectURI: redirectURI,
                                          scopes: Wire.scopes(query["scope"]), codeChallenge: challenge, nonce: query["nonce"])
        let code = server.grants.withLock { $0.issueCode(authorization, code: Wire.token(length: 43)) }
        return Wire.redirect(redirectURI, [("code", code)] + trailer)
    }

    /// The client authenticated by Basic auth or by `client_id` and `client_secret` in the form,
    /// never both; otherwise `invalid_client` (with a Basic challenge when Basic was tried).
    func authenticatedClient(_ exchange: Exchange) throws -> RegisteredClient {
        let form = exchange.bodyForm
        let triedBasic = Wire.hasBasic(exchange.request)
        if triedBasic, form["client_secret"] != nil {
            throw Rejection(Self.oauthError("invalid_request", "Multiple client authentication methods were used"))
        }
        let basic = Wire.basic(exchange.request)
        let (id, secret) = basic.map { ($0.id, $0.secret) } ?? (form["client_id"], form["client_secret"])
        guard let client = state.withLock({ $0.directory.client(id, secret: secret) }),
              basic == nil || form["client_id"] == nil || form["client_id"] == client.id else {
            let challenge: HTTPHeaders = triedBasic ? ["WWW-Authenticate": "Basic realm=\"oidc-fake\""] : [:]
            throw Rejection(Self.oauthError("invalid_client", "Invalid client or Invalid client credentials", status: .unauthorized,
                                            headers: challenge))
        }
        return client
    }
}
