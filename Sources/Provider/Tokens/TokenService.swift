import Identity
import Storage

/// Codes and tokens: issuing, exchanging, refreshing with rotation, revoking and describing
/// them. Everything here speaks in domain terms (`GrantError`); the endpoints translate to
/// RFC 6749 codes.
public struct TokenService: Sendable {
    let database: any Database
    let clock: Clock
    let lifetimes: TokenLifetimes
    let idTokens: IDTokenIssuer
    let users: UserService
    /// What a `resource` parameter may name (RFC 8707).
    public let resources: KnownResources
    /// Signs and recognises JWT access tokens (RFC 9068), for clients that chose them.
    let jwtAccessTokens: JWTAccessTokens

    /// What a write transaction decided: tokens, or a refusal to throw once it has committed
    /// (throwing inside would roll back the revocations a refusal may carry).
    enum Outcome: Sendable {
        case issued(Minted, user: ProviderUser?, nonce: String?, authTime: Int, methods: [String])
        case refused(GrantError)
    }

    /// Raw tokens as created inside a transaction.
    struct Minted: Sendable {
        /// The opaque access token, or a JWT access token's `jti` (signed once the transaction is over).
        let accessToken: String
        let refreshToken: String?
        let scope: ScopeSet
        /// The resources the access token is for (empty: the provider's own).
        var audience: [String] = []
        /// Whether `accessToken` is a `jti` to sign as a JWT.
        var isJWT = false
        /// The DPoP key the access token is bound to.
        var dpopKey: String? = nil
        /// The provider session that approved the grant (the id_token's `sid`), if it came from one.
        var sid: String? = nil
    }

    // MARK: Authorization codes

    /// A new single-use code for an approved request, bound to its client, redirect URI and
    /// PKCE challenge, and to how and when the user signed in (`methods`: RFC 8176 `amr`).
    /// `sid` names the provider session that approved it, for id_tokens and back-channel logout.
    public func issueCode(for request: AuthorizationRequest, userID: Int64, authTime: Int, methods: [String],
                          sid: String? = nil) async throws -> String {
        let now = clock.now(), code = TokenHash.newToken(), familyID = TokenHash.newFamilyID(at: now)
        let expiresAt = now + lifetimes.authorizationCode
        try await database.write { db in
            try TokenRepository.insertCode(hash: TokenHash.of(code), request: request, userID: userID, authTime: authTime,
                                           methods: methods, familyID: familyID, now: now, expiresAt: expiresAt, in: db)
            if let sid { try LogoutSessions.record(familyID: familyID, sid: sid, clientID: request.client.clientID, userID: userID, now: now, in: db) }
        }
        return code
    }

    /// Exchanges a code (RFC 6749 §4.1.3, RFC 7636 §4.6). A code presented a second time
    /// revokes every token issued from it, since one of the two presenters stole it.
    /// `resources` (RFC 8707) may narrow what the authorization request named.
    public func exchangeCode(_ code: String, client: Client, redirectURI: String?, verifier: String?,
                             resources requested: [String] = [], dpopKey: String? = nil) async throws -> IssuedTokens {
        guard TokenHash.isPlausible(code) else { throw GrantError.codeUnknown }
        let hash = TokenHash.of(code), now = clock.now(), lifetimes = lifetimes, known = resources
        let outcome: Outcome = try await database.write { db in
            guard let stored = try TokenRepository.code(hash: hash, in: db) else { return .refused(.codeUnknown) }
            if stored.usedAt != nil {
                try TokenRepository.revokeFamily(stored.familyID, now: now, in: db)
                return .refused(.codeReused)
            }
            guard stored.clientID == client.clientID else { return .refused(.codeIssuedToAnotherClient) }
            guard now < stored.expiresAt else { return .refused(.codeExpired) }
            if stored.redirectURISent && redirectURI == nil { return .refused(.redirectURIMissing) }
            if let redirectURI, redirectURI != stored.redirectURI { return .refused(.redirectURIMismatch) }
            switch (stored.codeChallenge, verifier) {
            case (nil, nil): break
            case (nil, .some): return .refused(.verifierUnexpected)
            case (.some, nil): return .refused(.verifierMissing)
            case (.some(let challenge), .some(let verifier)):
                guard PKCE.verify(verifier, against: challenge) else { return .refused(.verifierMismatch) }
            }
            // RFC 9449 §10: a code bound to a key (`dpop_jkt`) is redeemed only with a proof by that key.
            if let bound = stored.dpopKey, bound != dpopKey { return .refused(.dpopKeyMismatch) }
            guard try TokenRepository.useCode(hash: hash, now: now, in: db) else {
                try TokenRepository.revokeFamily(stored.familyID, now: now, in: db)
                return .refused(.codeReused)
            }
            guard let user = try UserRepository.find(id: stored.userID, in: db) else { return .refused(.codeUnknown) }
            let audience: [String]
            switch Self.target(requested, within: stored.resources, known: known) {
            case .success(let checked): audience = checked
            case .failure(let error): return .refused(error)
            }
            let minted = try Self.mint(in: db, client: client, userID: user.id, scope: stored.scope, familyID: stored.familyID,
                                       rotatedFrom: nil, authTime: stored.authTime, methods: stored.methods,
                                       resources: stored.resources, audience: audience, dpopKey: dpopKey,
                                       refreshDPoPKey: client.isConfidential ? nil : dpopKey, now: now, lifetimes: lifetimes)
            return .issued(minted, user: user, nonce: stored.nonce, authTime: stored.authTime, methods: stored.methods)
        }
        return try finish(outcome, client: client, now: now)
    }

    // MARK: Refresh

    /// Uses a refresh token (RFC 6749 §6): the old one is rotated away and a new one issued in
    /// the same family. Presenting a rotated-away token revokes the family.
    public func refresh(_ token: String, client: Client, scope requested: ScopeSet?, resources asked: [String] = [],
                        dpopKey: String? = nil) async throws -> IssuedTokens {
        guard TokenHash.isPlausible(token) else { throw GrantError.refreshTokenUnknown }
        let hash = TokenHash.of(token), now = clock.now(), lifetimes = lifetimes, known = resources
        let outcome: Outcome = try await database.write { db in
            guard let stored = try TokenRepository.refreshToken(hash: hash, in: db) else { return .refused(.refreshTokenUnknown) }
            guard stored.clientID == client.clientID else { return .refused(.refreshTokenIssuedToAnotherClient) }
            if stored.revokedAt != nil { return .refused(.refreshTokenRevoked) }
            if stored.rotatedAt != nil {
                try TokenRepository.revokeFamily(stored.familyID, now: now, in: db)
                return .refused(.refreshTokenReused)
            }
            guard now < stored.expiresAt else { return .refused(.refreshTokenExpired) }
            // RFC 9449 §5: a bound refresh token is used only with a proof by its key (checked
            // before rotating, so a thief without the key cannot even spend it).
            if let bound = stored.dpopKey, bound != dpopKey { return .refused(.dpopKeyMismatch) }
            let scope = requested ?? stored.scope
            if let extra = scope.values.first(where: { !stored.scope.contains($0) }) { return .refused(.scopeNotAllowed(extra)) }
            let audience: [String]
            switch Self.target(asked, within: stored.resources, known: known) {
            case .success(let checked): audience = checked
            case .failure(let error): return .refused(error)
            }
            guard try TokenRepository.rotateRefreshToken(hash: hash, now: now, in: db) else {
                try TokenRepository.revokeFamily(stored.familyID, now: now, in: db)
                return .refused(.refreshTokenReused)
            }
            guard let user = try UserRepository.find(id: stored.userID, in: db) else { return .refused(.refreshTokenUnknown) }
            // The new refresh token keeps the family's full scope (RFC 6749 §6); only the access
            // token is narrowed to what was asked for.
            let minted = try Self.mint(in: db, client: client, userID: user.id, scope: scope, refreshScope: stored.scope,
                                       familyID: stored.familyID, rotatedFrom: hash, authTime: stored.authTime, methods: stored.methods,
                                       resources: stored.resources, audience: audience, dpopKey: dpopKey,
                                       refreshDPoPKey: stored.dpopKey ?? (client.isConfidential ? nil : dpopKey), now: now, lifetimes: lifetimes)
            return .issued(minted, user: user, nonce: nil, authTime: stored.authTime, methods: stored.methods)
        }
        return try finish(outcome, client: client, now: now)
    }

    // MARK: Grants without a code

    /// The client acting for itself (RFC 6749 §4.4): no user, no refresh token, no `openid`.
    public func clientCredentials(client: Client, scope requested: ScopeSet?, resources asked: [String] = [],
                                  dpopKey: String? = nil) async throws -> IssuedTokens {
        let scope = requested ?? ScopeSet(client.scopes.values.filter { !ScopeSet.standard.contains($0) })
        if scope.contains("openid") { throw GrantError.scopeNeedsUser }
        if let extra = scope.values.first(where: { !client.scopes.contains($0) }) { throw GrantError.scopeNotAllowed(extra) }
        let audience = try Self.target(asked, within: [], known: resources).get()
        let now = clock.now(), lifetimes = lifetimes
        let minted = try await database.write { db in
            try Self.mintAccessToken(in: db, client: client, userID: nil, scope: scope, familyID: TokenHash.newFamilyID(at: now),
                                     audience: audience, dpopKey: dpopKey, now: now, lifetimes: lifetimes)
        }
        return try finish(.issued(minted, user: nil, nonce: nil, authTime: now, methods: []), client: client, now: now)
    }

    /// The resource owner password grant (RFC 6749 §4.3), for clients explicitly allowed it.
    /// Failures count towards the same sign-in limits as the sign-in page.
    public func password(client: Client, username: String, password: String, scope requested: ScopeSet?, ip: String,
                         resources asked: [String] = [], dpopKey: String? = nil) async throws -> IssuedTokens {
        let scope = requested ?? client.scopes
        if let extra = scope.values.first(where: { !client.scopes.contains($0) }) { throw GrantError.scopeNotAllowed(extra) }
        let audience = try Self.target(asked, within: [], known: resources).get()
        let user: ProviderUser
        switch try await users.signIn(username: username, password: password, ip: ip) {
        case .verified(let found, _): user = found
        case .refused, .invalidCredentials: throw GrantError.invalidCredentials
        case .throttled(let wait, _): throw GrantError.throttled(retryAfter: wait)
        }
        // The grant takes a password only; an account with a second factor signs in through the
        // authorization endpoint, where that factor is asked for.
        if try await database.read({ try ProviderSecondFactors.isEnabled(userID: user.id, in: $0) }) { throw GrantError.secondFactorRequired }
        let now = clock.now(), lifetimes = lifetimes
        let minted = try await database.write { db in
            try Self.mint(in: db, client: client, userID: user.id, scope: scope, familyID: TokenHash.newFamilyID(at: now),
                          rotatedFrom: nil, authTime: now, methods: ["pwd"], resources: audience, audience: audience, dpopKey: dpopKey,
                          refreshDPoPKey: client.isConfidential ? nil : dpopKey, now: now, lifetimes: lifetimes)
        }
        return try finish(.issued(minted, user: user, nonce: nil, authTime: now, methods: ["pwd"]), client: client, now: now)
    }

    // MARK: Helpers

    /// The resources a token request asks for (RFC 8707), checked against what we serve and,
    /// when the grant named resources, narrowed within those; none asked: the grant's own.
    static func target(_ asked: [String], within granted: [String], known: KnownResources) -> Result<[String], GrantError> {
        do {
            let checked = try known.check(asked, within: granted)
            return .success(checked.isEmpty ? granted : checked)
        } catch {
            switch error {
            case .unknown(let resource): return .failure(.unknownResource(resource))
            case .outsideGrant(let resource): return .failure(.resourceOutsideGrant(resource))
            }
        }
    }

    /// Records an access token: an opaque one by its hash, or, for a client that chose JWT
    /// access tokens, the hash of the `jti` the JWT will carry.
    static func mintAccessToken(in db: any Connection, client: Client, userID: Int64?, scope: ScopeSet, familyID: String,
                                audience: [String], dpopKey: String?, now: Int, lifetimes: TokenLifetimes) throws -> Minted {
        // Every grant mints here, so this is where a client remembered by `ClientCache` is held
        // to what is stored; throwing rolls back whatever the grant did in this transaction.
        guard try ClientRepository.isCurrent(client, in: db) else { throw GrantError.clientChanged }
        let access = TokenHash.newOrderedToken(at: now)
        try TokenRepository.insertAccessToken(hash: TokenHash.of(access), clientID: client.clientID, userID: userID, scope: scope,
                                              familyID: familyID, audience: audience, dpopKey: dpopKey, now: now,
                                              expiresAt: now + lifetimes.accessToken, in: db)
        return Minted(accessToken: access, refreshToken: nil, scope: scope, audience: audience, isJWT: client.accessTokenFormat == .jwt,
                      dpopKey: dpopKey)
    }

    /// Creates an access token for `scope` and `audience`, and a refresh token for
    /// `refreshScope` (the same by default) and the grant's `resources` when the client may refresh.
    /// The access token is bound to `dpopKey`, the refresh token to `refreshDPoPKey` (RFC 9449).
    static func mint(in db: any Connection, client: Client, userID: Int64, scope: ScopeSet, refreshScope: ScopeSet? = nil,
                     familyID: String, rotatedFrom: String?, authTime: Int, methods: [String], resources: [String], audience: [String],
                     dpopKey: String?, refreshDPoPKey: String?, now: Int, lifetimes: TokenLifetimes) throws -> Minted {
        var minted = try mintAccessToken(in: db, client: client, userID: userID, scope: scope, familyID: familyID, audience: audience,
                                         dpopKey: dpopKey, now: now, lifetimes: lifetimes)
        var refresh: String?
        if client.allows(.refreshToken) {
            let token = TokenHash.newOrderedToken(at: now)
            try TokenRepository.insertRefreshToken(hash: TokenHash.of(token), clientID: client.clientID, userID: userID,
                                                   scope: refreshScope ?? scope,
                                                   familyID: familyID, rotatedFrom: rotatedFrom, authTime: authTime, methods: methods,
                                                   resources: resources, dpopKey: refreshDPoPKey, now: now,
                                                   expiresAt: now + lifetimes.refreshToken, in: db)
            refresh = token
        }
        minted = Minted(accessToken: minted.accessToken, refreshToken: refresh, scope: scope, audience: audience, isJWT: minted.isJWT,
                        dpopKey: dpopKey, sid: try LogoutSessions.sid(familyID: familyID, in: db))
        return minted
    }

    /// Throws a refusal, or signs the id_token (outside the transaction) and packs the reply.
    func finish(_ outcome: Outcome, client: Client, now: Int) throws -> IssuedTokens {
        switch outcome {
        case .refused(let error):
            throw error
        case .issued(let minted, let user, let nonce, let authTime, let methods):
            var accessToken = minted.accessToken
            if minted.isJWT {
                let known = user != nil && !methods.isEmpty
                accessToken = try jwtAccessTokens.sign(JWTAccessTokenClaims(
                    iss: jwtAccessTokens.issuer, sub: user?.subject ?? client.clientID, aud: resources.audience(minted.audience),
                    exp: now + lifetimes.accessToken, iat: now, jti: minted.accessToken, client_id: client.clientID,
                    scope: minted.scope.description, auth_time: user == nil ? nil : authTime,
                    acr: known ? AuthenticationMethods.acr(methods) : nil, amr: known ? methods : nil,
                    cnf: minted.dpopKey.map { ["jkt": $0] }))
            }
            var idToken: String?
            if let user, minted.scope.contains("openid") {
                idToken = try idTokens.sign(user: user, clientID: client.clientID, scope: minted.scope, authTime: authTime, methods: methods,
                                            nonce: nonce, accessToken: accessToken, sid: minted.sid, now: now)
            }
            return IssuedTokens(accessToken: accessToken, expiresIn: lifetimes.accessToken, refreshToken: minted.refreshToken,
                                scope: minted.scope, idToken: idToken, dpopKey: minted.dpopKey)
        }
    }
}
