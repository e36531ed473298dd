import Security
import Web

/// The protected resources: OpenID Connect's userinfo and the provider's profile API, plus the
/// token check front ends use.
struct ResourceController {
    let services: ProviderServices
    var bearer: BearerAuthentication { BearerAuthentication(services: services) }

    func register(on router: Router) {
        router.get("/oauth/userinfo", use: userinfo)
        router.post("/oauth/userinfo", use: userinfo)
        router.get("/api/profile", use: profile)
        router.post("/api/verify", use: verify)
    }

    /// Core §5.3: `sub` always, profile and email claims as the token's scopes allow.
    @Sendable func userinfo(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let (grant, user) = try await bearer.userGrant(for: request)
            guard grant.scope.contains("openid") else {
                throw OAuthError(.insufficientScope, "The userinfo endpoint needs a token with the openid scope.", status: .forbidden,
                                 headers: ["WWW-Authenticate": "Bearer error=\"insufficient_scope\", scope=\"openid\""])
            }
            return OAuthReply.json(.object(Self.released(user, scope: grant.scope, names: .userinfo)))
        }
    }

    /// The profile the consumer site reads, keyed on the numeric id (never the username); its
    /// fields are released by scope exactly as userinfo's claims are.
    @Sendable func profile(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let (grant, user) = try await bearer.userGrant(for: request)
            return OAuthReply.json(.object(Self.released(user, scope: grant.scope, names: .profile)))
        }
    }

    /// What each scope releases, under userinfo's names (OpenID Connect Core §5.1) or the
    /// profile API's.
    enum FieldNames {
        case userinfo, profile
    }

    /// The identifier always; name fields with `profile`; the address and whether it is verified
    /// with `email`.
    static func released(_ user: ProviderUser, scope: ScopeSet, names: FieldNames) -> [String: JSONValue] {
        var fields: [String: JSONValue] = names == .userinfo ? ["sub": .string(user.subject)] : ["id": .int(Int(user.id))]
        if scope.contains("profile") {
            fields[names == .userinfo ? "preferred_username" : "username"] = .string(user.username)
            fields["name"] = .string(user.displayName)
        }
        if scope.contains("email") {
            fields["email"] = .string(user.email)
            fields["email_verified"] = .bool(user.emailVerified)
        }
        return fields
    }

    /// `token=…` → whose token it is, for a client whose front end was handed one. The client
    /// authenticates, and learns only about tokens issued to it (or to anyone, as a resource
    /// server); anything else is a 403 that says nothing more.
    @Sendable func verify(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let form = try OAuthForm.parse(request)
            let client = try await services.clients.authenticate(request, form: form, realm: services.configuration.baseURL)
            let refused = OAuthReply.json(["error": "invalid_request"], status: .forbidden)
            guard client.isConfidential, let token = form["token"],
                  let grant = try await services.tokens.verifyAccessToken(token), let user = grant.user,
                  client.mayInspect(tokenOf: grant.clientID) else { return refused }
            return OAuthReply.json(["user": .string(user.username), "sub": .string(user.subject), "client_id": .string(grant.clientID)])
        }
    }
}
