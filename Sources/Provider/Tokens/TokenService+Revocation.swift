import Storage

/// Revocation (RFC 7009), introspection (RFC 7662) and the bearer check resource endpoints use.
extension TokenService {
    /// Revokes `token` if it was issued to `client`; unknown tokens and other clients' tokens
    /// are silently ignored, as RFC 7009 §2.2 asks. Revoking a refresh token revokes its whole
    /// family, access tokens included (§2.1: "SHOULD also invalidate all access tokens based on
    /// the same authorization grant").
    public func revoke(_ token: String, hint: TokenDescription.Kind?, client: Client) async throws {
        let accessHash = storedHash(ofAccessToken: token), refreshHash = storedHash(ofRefreshToken: token), now = clock.now()
        let order: [TokenDescription.Kind] = hint == .refreshToken ? [.refreshToken, .accessToken] : [.accessToken, .refreshToken]
        try await database.write { db in
            for kind in order {
                switch kind {
                case .accessToken:
                    guard let hash = accessHash, let stored = try TokenRepository.accessToken(hash: hash, in: db) else { continue }
                    if stored.clientID == client.clientID { try TokenRepository.revokeAccessToken(hash: hash, now: now, in: db) }
                    return
                case .refreshToken:
                    guard let hash = refreshHash, let stored = try TokenRepository.refreshToken(hash: hash, in: db) else { continue }
                    if stored.clientID == client.clientID { try TokenRepository.revokeFamily(stored.familyID, now: now, in: db) }
                    return
                }
            }
        }
    }

    /// Describes a live token of either kind; nil for anything unknown, expired, revoked or
    /// rotated away (which introspection reports as `{"active": false}`).
    public func describe(_ token: String, hint: TokenDescription.Kind?) async throws -> TokenDescription? {
        let accessHash = storedHash(ofAccessToken: token), refreshHash = storedHash(ofRefreshToken: token), now = clock.now()
        let resources = resources
        let order: [TokenDescription.Kind] = hint == .refreshToken ? [.refreshToken, .accessToken] : [.accessToken, .refreshToken]
        return try await database.read { db in
            for kind in order {
                switch kind {
                case .accessToken:
                    guard let hash = accessHash, let stored = try TokenRepository.accessToken(hash: hash, in: db) else { continue }
                    guard stored.isActive(now: now) else { return nil }
                    let user = try stored.userID.flatMap { try UserRepository.find(id: $0, in: db) }
                    return TokenDescription(kind: .accessToken, clientID: stored.clientID, user: user, scope: stored.scope,
                                            issuedAt: stored.issuedAt, expiresAt: stored.expiresAt, audience: resources.audience(stored.audience),
                                            dpopKey: stored.dpopKey)
                case .refreshToken:
                    guard let hash = refreshHash, let stored = try TokenRepository.refreshToken(hash: hash, in: db) else { continue }
                    guard stored.isActive(now: now) else { return nil }
                    let user = try UserRepository.find(id: stored.userID, in: db)
                    return TokenDescription(kind: .refreshToken, clientID: stored.clientID, user: user, scope: stored.scope,
                                            issuedAt: stored.issuedAt, expiresAt: stored.expiresAt, audience: resources.audience(stored.resources),
                                            dpopKey: stored.dpopKey)
                }
            }
            return nil
        }
    }

    /// The grant behind a bearer access token, or nil when the token is not live.
    public func verifyAccessToken(_ token: String) async throws -> AccessGrant? {
        guard let hash = storedHash(ofAccessToken: token) else { return nil }
        let now = clock.now(), resources = resources
        return try await database.read { db in
            guard let stored = try TokenRepository.accessToken(hash: hash, in: db), stored.isActive(now: now) else { return nil }
            let user = try stored.userID.flatMap { try UserRepository.find(id: $0, in: db) }
            if stored.userID != nil && user == nil { return nil }
            return AccessGrant(clientID: stored.clientID, user: user, scope: stored.scope, issuedAt: stored.issuedAt, expiresAt: stored.expiresAt,
                               audience: resources.audience(stored.audience), dpopKey: stored.dpopKey)
        }
    }

    /// Where an access token is stored: an opaque token by its hash, a JWT access token by the
    /// hash of its `jti` once its signature shows we issued it. Nil: it cannot be one of ours.
    func storedHash(ofAccessToken token: String) -> String? {
        // Opaque tokens are base64url, which has no dots; a compact JWS has two.
        if token.utf8.contains(UInt8(ascii: ".")) { return jwtAccessTokens.identifier(of: token).map(TokenHash.of) }
        return TokenHash.isPlausible(token) ? TokenHash.of(token) : nil
    }

    /// Where a refresh token is stored (always opaque).
    func storedHash(ofRefreshToken token: String) -> String? {
        TokenHash.isPlausible(token) ? TokenHash.of(token) : nil
    }
}
