import Accounts
import Foundation
import Identity
import Storage
import Web

/// The JSON API for front ends (mobile apps, single-page apps): sign in with a provider token
/// the front end obtained itself, then use a bearer token. No cookies and no CSRF tokens: every
/// call is authenticated by its `Authorization: Bearer` header alone (which is also why the
/// CSRF middleware exempts `/api/`). Errors are `APIError`s, rendered by `APIErrorMiddleware`.
struct APIController {
    let services: SiteServices
    /// API sign-in attempts per client address, counted in the database so every instance shares it.
    let limit: RateLimit

    /// Longest provider token accepted (real ones are far shorter; this bounds what we forward).
    static let maxTokenLength = 8192

    func register(on router: Router) {
        let api = router.group("/api")
        api.post("/auth/social", use: socialSignIn)
        api.get("/me", use: me)
        api.post("/logout", use: logout)
        // Built once: the document only changes with the build and the registry.
        let document = Array(OpenAPIDocument.json(providers: services.social.registry.entries.map(\.id)).utf8)
        api.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: ["Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300"],
                     body: document)
        }
    }

    private var now: Int { Clock.now }

    // MARK: Sign-in

    @Sendable func socialSignIn(_ request: Request, context: RequestContext) async throws -> Response {
        let ip = request.clientIP(trustedProxies: services.configuration.trustedProxies)
        let limit = limit, now = now
        if let wait = try await services.database.write({ db in try limit.hit(ip, now: now, in: db) }) {
            context.logger.warning("api_rate_limited", ["ip": ip])
            throw APIError.rateLimited(retryAfter: wait)
        }
        let body: SocialSignInRequest = try request.decodeJSON()
        guard !body.provider.isEmpty else { throw APIError.invalidRequest("Field \"provider\" must not be empty.") }
        guard !body.accessToken.isEmpty, body.accessToken.utf8.count <= Self.maxTokenLength else {
            throw APIError.invalidRequest("Field \"access_token\" must be a provider access token.")
        }
        guard let entry = services.social.registry.entry(body.provider), entry.isEnabled else {
            throw APIError.unsupportedProvider(body.provider)
        }
        let idToken = body.idToken.flatMap { $0.isEmpty ? nil : $0 }
        if entry.frontEndNeedsIDToken {
            guard let idToken, idToken.utf8.count <= Self.maxTokenLength else {
                throw APIError.invalidRequest("Missing field \"id_token\": \(entry.displayName) tokens are checked through their id_token.")
            }
        }
        // With a valid bearer token this links the social account to that user (connect);
        // without one it signs in (or up). A bad bearer token is an error, never ignored.
        var intent = SocialAuthService.Intent.signIn
        var presented: (token: String, record: APIToken)?
        if let token = try Self.bearerToken(request) {
            let (user, record) = try await authenticate(token)
            intent = .connect(userID: user.id)
            presented = (token, record)
        }
        let outcome: SocialAuthService.Outcome
        do {
            outcome = try await services.social.signIn(frontEndToken: body.accessToken, idToken: idToken, provider: entry.id,
                                                       intent: intent, ip: ip, notice: SiteMail(request, context, services: services).notice)
        } catch let error as SocialAuthError {
            context.logger.warning("api_social_failed", ["provider": entry.id, "error": error])
            throw APIError(error)
        }
        switch outcome {
        case .signedIn(let user, let created, _):
            guard try await !services.database.read({ db in try AccountSecurity.hasSecondFactor(userID: user.id, in: db) }) else {
                throw APIError.secondFactorRequired
            }
            let lifetime = services.configuration.apiTokenLifetime
            let now = now
            let client = entry.displayName + (request.headers["User-Agent"].map { " · " + $0 } ?? "")
            let issued = try await services.database.write { db in
                try APITokenRepository.issue(userID: user.id, lifetime: lifetime, now: now, client: client, in: db)
            }
            return APIJSON.response(SignInResult(user: APIUser(user: user), token: issued.token, expiresAt: issued.expiresAt),
                                    status: created ? .created : .ok)
        case .connected(let user, _, _):
            let fresh = try await services.database.read { db in try UserRepository.find(id: user.id, in: db) } ?? user
            guard let presented else { throw APIError.internalError }
            return APIJSON.response(SignInResult(user: APIUser(user: fresh), token: presented.token, expiresAt: presented.record.expiresAt))
        case .needsProfile:
            // Front ends get their account at once (no profile form over the API).
            throw APIError.internalError
        }
    }

    // MARK: Bearer-authenticated

    @Sendable func me(_ request: Request, context: RequestContext) async throws -> Response {
        guard let token = try Self.bearerToken(request) else { throw APIError.invalidToken("This endpoint needs Authorization: Bearer <token>.") }
        let (user, record) = try await authenticate(token)
        return APIJSON.response(MeResult(user: APIUser(user: user), tokenExpiresAt: record.expiresAt))
    }

    @Sendable func logout(_ request: Request, context: RequestContext) async throws -> Response {
        guard let token = try Self.bearerToken(request) else { throw APIError.invalidToken("This endpoint needs Authorization: Bearer <token>.") }
        let now = now
        let ip = request.clientIP(trustedProxies: services.configuration.trustedProxies)
        // A disabled user may still revoke their own token: it only takes access away.
        let revoked = try await services.database.write { db -> Bool in
            guard let (record, _) = try APITokenRepository.find(token, now: now, in: db) else { return false }
            try APITokenRepository.revoke(token, now: now, in: db)
            try AuditLog.record("api_logout", actor: record.userID, target: record.userID, ip: ip, now: now, in: db)
            return true
        }
        guard revoked else { throw APIError.invalidToken("The bearer token is unknown, expired or revoked.") }
        return Response(status: .noContent, headers: ["Cache-Control": "no-store"])
    }

    // MARK: Bearer tokens

    /// The token in `Authorization: Bearer …`; nil without the header; `invalidToken` for another scheme.
    static func bearerToken(_ request: Request) throws(APIError) -> String? {
        guard let header = request.headers["Authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.invalidToken("Send the token as Authorization: Bearer <token>.")
        }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The live token's user: `invalidToken` for unknown, expired or revoked tokens,
    /// `accountDisabled` (403) for a disabled user's. Records the use at most once a minute.
    func authenticate(_ token: String) async throws -> (User, APIToken) {
        let now = now
        guard let (record, user) = try await services.database.read({ db in try APITokenRepository.find(token, now: now, in: db) }) else {
            throw APIError.invalidToken("The bearer token is unknown, expired or revoked.")
        }
        guard !user.isDisabled else { throw APIError.accountDisabled }
        if APITokenRepository.needsTouch(record, now: now) {
            try await services.database.write { db in try APITokenRepository.touch(id: record.id, now: now, in: db) }
        }
        return (user, record)
    }
}
