import Foundation
import Security
import Synchronization
import Web

/// A local Facebook: the www.facebook.com login dialog (`/vX/dialog/oauth`) and the
/// graph.facebook.com calls the site makes (`/vX/oauth/access_token`, `/vX/me`, `/debug_token`,
/// `/vX/{user-id}/permissions`), all under `baseURL`, for the Graph versions in
/// `supportedVersions` (default: `graphVersion` only).
///
/// Quirks kept: comma-separated scopes; `#_=_` appended to the dialog's redirects; the token
/// exchange demands a `redirect_uri` byte-identical to the dialog's; errors are
/// `{"error":{message,type,code,error_subcode,fbtrace_id}}` with HTTP 400; user ids are
/// app-scoped; email may be absent (no address, or the permission declined); Graph calls with a
/// user token need `appsecret_proof` while `requiresAppSecretProof` is on; expired tokens cannot be
/// exchanged for long-lived ones; no refresh tokens exist.
public final class FacebookFake: FakeProvider {
    struct State {
        var users: [FacebookUser] = []
        var apps: [String: RegisteredClient] = [:]
        var nextAuthorizationUser: String?
        var supportedVersions: Set<String> = []
        var requiresAppSecretProof = true
    }

    /// `expires_in` of a token from the code exchange (short-lived).
    public static let shortLivedLifetime = 3600
    /// `expires_in` of a token from `fb_exchange_token` (about 60 days).
    public static let longLivedLifetime = 5_184_000

    /// The server, request log, fault board and grants behind this fake.
    public let server = FakeServer()
    let state = Mutex(State())
    /// The Graph version of the routes (`v25.0`), the newest this fake knows.
    public let graphVersion: String

    /// Starts a fake Facebook with one registered app.
    public init(appID: String = "1234567890123456", appSecret: String = "facebook-app-secret",
                graphVersion: String = "v25.0") throws {
        self.graphVersion = graphVersion
        state.withLock { $0.supportedVersions = [graphVersion] }
        addApp(id: appID, secret: appSecret)
        server.route(.get, "/:version/dialog/oauth", .authorize, owner: self, FacebookFake.dialog)
        server.route(.get, "/:version/oauth/access_token", .token, owner: self, FacebookFake.accessToken)
        server.route(.post, "/:version/oauth/access_token", .token, owner: self, FacebookFake.accessToken)
        server.route(.get, "/:version/me", .profile, owner: self, FacebookFake.me)
        server.route(.get, "/debug_token", .tokenInfo, owner: self, FacebookFake.debugToken)
        server.route(.get, "/:version/debug_token", .tokenInfo, owner: self, FacebookFake.debugToken)
        server.route(.get, "/:version/:user_id/permissions", .profile, owner: self, FacebookFake.permissions)
        server.route(.delete, "/:version/:user_id/permissions", .revoke, owner: self, FacebookFake.deletePermissions)
        try server.start()
    }

    /// The base to configure for www.facebook.com (the dialog); the version follows it.
    public var wwwBaseURL: String { baseURL }
    /// The base to configure for graph.facebook.com.
    public var graphBaseURL: String { baseURL }

    /// Registers (or replaces) an app. With `redirectURIs`, the dialog accepts only those, exactly.
    public func addApp(id: String, secret: String, name: String = "Latchkey Test", redirectURIs: [String] = []) {
        state.withLock { $0.apps[id] = RegisteredClient(id: id, secret: secret, name: name, redirectURIs: redirectURIs) }
    }

    /// Registers a user; the first one added approves dialogs unless `nextAuthorizationUser` says otherwise.
    @discardableResult
    public func addUser(id: String, name: String, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
                        pictureURL: String? = nil, declinedPermissions: Set<String> = []) -> FacebookUser {
        let user = FacebookUser(id: id, name: name, firstName: firstName, lastName: lastName, email: email,
                                pictureURL: pictureURL, declinedPermissions: declinedPermissions)
        state.withLock { state in
            state.users.removeAll { $0.id == id }
            state.users.append(user)
        }
        return user
    }

    /// Changes a registered user in place; false if unknown.
    @discardableResult
    public func updateUser(id: String, _ change: (inout FacebookUser) -> Void) -> Bool {
        state.withLock { state in
            guard let index = state.users.firstIndex(where: { $0.id == id }) else { return false }
            change(&state.users[index])
            return true
        }
    }

    /// The person (by `FacebookUser.id`) logged in to Facebook's browser session, who approves
    /// dialogs from now on; nil means the first user added.
    public var nextAuthorizationUser: String? {
        get { state.withLock { $0.nextAuthorizationUser } }
        set { state.withLock { $0.nextAuthorizationUser = newValue } }
    }

    /// Graph versions answered; any other version in a path gets Facebook's error.
    public var supportedVersions: Set<String> {
        get { state.withLock { $0.supportedVersions } }
        set { state.withLock { $0.supportedVersions = newValue } }
    }

    /// Whether Graph calls with a user token must carry `appsecret_proof` (the app setting
    /// "Require App Secret"); a wrong proof is refused either way.
    public var requiresAppSecretProof: Bool {
        get { state.withLock { $0.requiresAppSecretProof } }
        set { state.withLock { $0.requiresAppSecretProof = newValue } }
    }

    /// The id app `appID` sees for person `userID`: stable, numeric, different for every app.
    public static func appScopedID(ofUser userID: String, appID: String) -> String {
        let digest = SHA256.hash("\(appID):\(userID)")
        let number = digest.prefix(7).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 1_000_000_000_000_000
        let digits = String(number)
        return "10" + String(repeating: "0", count: 15 - digits.count) + digits
    }

    /// `appsecret_proof` for `token`: hex HMAC-SHA256 keyed with the app secret.
    public static func appSecretProof(token: String, appSecret: String) -> String {
        Hex.encode(HMAC.sha256(key: Array(appSecret.utf8), message: Array(token.utf8)))
    }

    func app(_ id: String?) -> RegisteredClient? { id.flatMap { id in state.withLock { $0.apps[id] } } }

    func user(_ id: String) -> FacebookUser? { state.withLock { $0.users.first { $0.id == id } } }

    /// The person behind app-scoped id `scopedID` for `appID`.
    func user(scopedID: String, appID: String) -> FacebookUser? {
        state.withLock { $0.users.first { Self.appScopedID(ofUser: $0.id, appID: appID) == scopedID } }
    }

    /// Facebook's error envelope.
    static func graphError(_ message: String, type: String = "OAuthException", code: Int, subcode: Int? = nil,
                           status: HTTPStatus = .badRequest) -> Response {
        var error: [String: JSONValue] = ["message": .string(message), "type": .string(type), "code": .int(code),
                                          "fbtrace_id": .string(Wire.token(length: 11))]
        if let subcode { error["error_subcode"] = .int(subcode) }
        return Wire.json(["error": .object(error)], status: status)
    }

    /// Refuses a path whose version is not served: older ones as deprecated, others as unknown.
    func checkVersion(_ exchange: Exchange) throws {
        let version = exchange.route["version"] ?? ""
        guard !supportedVersions.contains(version) else { return }
        let number = Double(version.dropFirst()) ?? .infinity
        if version.hasPrefix("v"), number < (Double(graphVersion.dropFirst()) ?? 0) {
            throw Rejection(Self.graphError("(#2635) You are calling a deprecated version of the Graph API. Please update to the latest version: \(graphVersion).", code: 2635))
        }
        throw Rejection(Self.graphError("Unknown path components: \(exchange.request.path)", code: 2500))
    }

    // MARK: www.facebook.com

    func dialog(_ exchange: Exchange) throws -> Response {
        do { try checkVersion(exchange) } catch {
            return Wire.html("Error", "This version of the Login Dialog is not available.", status: .badRequest)
        }
        let query = exchange.query
        guard let app = app(query["client_id"]) else {
            return Wire.html("Error", "Invalid App ID: The provided app ID does not look like a valid app ID.")
        }
        guard let redirectURI = query["redirect_uri"], app.redirectURIs.isEmpty || app.redirectURIs.contains(redirectURI) else {
            return Wire.html("URL Blocked", "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.")
        }
        let statePair: [(String, String)] = query["state"].map { [("state", $0)] } ?? []
        if exchange.fault == .deny {
            return Wire.redirect(redirectURI, [("error", "access_denied"), ("error_code", "200"), ("error_description", "Permissions error"),
                                               ("error_reason", "user_denied")] + statePair, fragment: "_=_")
        }
        let approver = state.withLock { state in
            state.users.first { $0.id == state.nextAuthorizationUser } ?? (state.nextAuthorizationUser == nil ? state.users.first : nil)
        }
        guard let approver else { return Wire.html("Log in to Facebook", "You must log in to continue.") }
        var scopes = ["public_profile"]
        for scope in Wire.scopes(query["scope"]) where !scopes.contains(scope) && !approver.declinedPermissions.contains(scope) {
            scopes.append(scope)
        }
        let authorization = Authorization(userKey: approver.id, clientID: app.id, redirectURI: redirectURI, scopes: scopes,
                                          codeChallenge: nil, nonce: nil)
        let code = server.grants.withLock { $0.issueCode(authorization, code: "AQ" + Wire.token(length: 120)) }
        return Wire.redirect(redirectURI, [("code", code)] + statePair, fragment: "_=_")
    }

    // MARK: graph.facebook.com/vX/oauth/access_token

    func accessToken(_ exchange: Exchange) throws -> Response {
        try checkVersion(exchange)
        let fields = exchange.fields
        guard let app = app(fields["client_id"]) else {
            return Self.graphError("Error validating application. Invalid application ID.", code: 101)
        }
        guard fields["client_secret"] == app.secret else { return Self.graphError("Error validating client secret.", code: 1) }
        if fields["grant_type"] == "fb_exchange_token" { return exchangeToken(fields["fb_exchange_token"], app: app) }
        guard let code = fields["code"] else { return Self.graphError("(#100) The parameter code is required", code: 100) }
        let authorization: Authorization
        switch server.grants.withLock({ $0.peek(code) }) {
        case let .success(found) where found.clientID == app.id: authorization = found
        case .success, .failure(.unknown): return Self.graphError("Invalid verification code format.", code: 100)
        case .failure(.reused): return Self.graphError("This authorization code has been used.", code: 100, subcode: 36009)
        case .failure(.expired): return Self.graphError("This authorization code has expired.", code: 100, subcode: 36007)
        }
        guard fields["redirect_uri"] == authorization.redirectURI else {
            return Self.graphError("Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
                                   code: 100, subcode: 36008)
        }
        guard case .success = server.grants.withLock({ $0.redeem(code) }) else {
            return Self.graphError("This authorization code has been used.", code: 100, subcode: 36009)
        }
        return issueToken(userKey: authorization.userKey, app: app, scopes: authorization.scopes,
                          lifetime: Self.shortLivedLifetime, family: code)
    }

    private func exchangeToken(_ shortLived: String?, app: RegisteredClient) -> Response {
        guard let shortLived else { return Self.graphError("(#100) The parameter fb_exchange_token is required", code: 100) }
        switch server.grants.withLock({ $0.status(of: shortLived) }) {
        case let .active(token) where token.clientID == app.id:
            return issueToken(userKey: token.userKey, app: app, scopes: token.scopes, lifetime: Self.longLivedLifetime, family: token.family)
        case let .expired(token):
            return Self.graphError(Self.expiredMessage(token), code: 190, subcode: 463)
        case .revoked:
            return Self.graphError("Error validating access token: The user has not authorized application \(app.id).", code: 190, subcode: 458)
        case .active, .unknown:
            return Self.graphError("Invalid OAuth access token - Cannot parse access token", code: 190)
        }
    }

    private func issueToken(userKey: String, app: RegisteredClient, scopes: [String], lifetime: Int, family: String) -> Response {
        let token = server.grants.withLock {
            $0.issue(.access, value: "EAA" + Wire.token(length: 120), userKey: userKey, clientID: app.id, scopes: scopes,
                     lifetime: TimeInterval(lifetime), family: family)
        }
        return Wire.json(["access_token": .string(token.value), "token_type": "bearer", "expires_in": .int(lifetime)])
    }

    /// Facebook's wording for an expired session.
    static func expiredMessage(_ token: IssuedToken) -> String {
        let expiry = (token.expiresAt ?? Date()).formatted(.iso8601)
        return "Error validating access token: Session has expired on \(expiry). The current time is \(Date().formatted(.iso8601))."
    }
}
