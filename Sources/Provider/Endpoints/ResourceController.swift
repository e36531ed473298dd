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
            var claims: [String: JSONValue] = ["sub": .string(user.subject)]
            if grant.scope.contains("profile") {
                claims["preferred_username"] = .string(user.username)
                claims["name"] = .string(user.displayName)
            }
            if grant.scope.contains("email") {
                claims["email"] = .string(user.email)
                claims["email_verified"] = .bool(user.emailVerified)
            }
            return OAuthReply.json(.object(claims))
        }
    }

    /// The profile the consumer site reads, keyed on the numeric id (never the username).
    @Sendable func profile(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let (_, user) = try await bearer.userGrant(for: request)
            return OAuthReply.json([
                "id": .int(Int(user.id)), "username": .string(user.username), "email": .string(user.email),
                "email_verified": .bool(user.emailVerified), "name": .string(user.displayName),
            ])
        }
    }

    /// `token=…` → whose token it is, for a front end that was handed one; anything but a live
    /// user token is a 403 that says nothing more.
    @Sendable func verify(_ request: Request, context: RequestContext) async throws -> Response {
        let refused = OAuthReply.json(["error": "invalid_request"], status: .forbidden)
        guard let form = try? OAuthForm.parse(request), let token = form["token"] else { return refused }
        guard let grant = try await services.tokens.verifyAccessToken(token), let user = grant.user else { return refused }
        return OAuthReply.json(["user": .string(user.username)])
    }
}
