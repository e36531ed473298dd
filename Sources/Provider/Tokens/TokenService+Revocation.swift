import Storage

/// Revocation (RFC 7009), introspection (RFC 7662) and the bearer check resource endpoints use.
extension TokenService {
    /// Revokes `token` if it was issued to `client`; unknown tokens and other clients' tokens
    /// are silently ignored, as RFC 7009 §2.2 asks. Revoking a refresh token revokes its whole
    /// family, access tokens included (§2.1: "SHOULD also invalidate all access tokens based on
    /// the same authorization grant").
    public func revoke(_ token: String, hint: TokenDescription.Kind?, client: Client) async throws {
        guard TokenHash.isPlausible(token) else { return }
        let hash = TokenHash.of(token), now = clock.now()
        let order: [TokenDescription.Kind] = hint == .refreshToken ? [.refreshToken, .accessToken] : [.accessToken, .refreshToken]
        try await database.write { db in
            for kind in order {
                switch kind {
                case .accessToken:
                    guard let stored = try TokenRepository.accessToken(hash: hash, in: db) else { continue }
                    if stored.clientID == client.clientID { try TokenRepository.revokeAccessToken(hash: hash, now: now, in: db) }
                    return
                case .refreshToken:
                    guard let stored = try TokenRepository.refreshToken(hash: hash, in: db) else { continue }
                    if stored.clientID == client.clientID { try TokenRepository.revokeFamily(stored.familyID, now: now, in: db) }
                    return
                }
            }
        }
    }

    /// Describes a live token of either kind; nil for anything unknown, expired, revoked or
    /// rotated away (which introspection reports as `{"active": false}`).
    public func describe(_ token: String, hint: TokenDescription.Kind?) async throws -> TokenDescription? {
        guard TokenHash.isPlausible(token) else { return nil }
        let hash = TokenHash.of(token), now = clock.now()
        let order: [TokenDescription.Kind] = hint == .refreshToken ? [.refreshToken, .accessToken] : [.accessToken, .refreshToken]
        return try await database.read { db in
            for kind in order {
                switch kind {
                case .accessToken:
                    guard let stored = try TokenRepository.accessToken(hash: hash, in: db) else { continue }
                    guard stored.isActive(now: now) else { return nil }
                    let user = try stored.userID.flatMap { try UserRepository.find(id: $0, in: db) }
                    return TokenDescription(kind: .accessToken, clientID: stored.clientID, user: user, scope: stored.scope,
                                            issuedAt: stored.issuedAt, expiresAt: stored.expiresAt)
                case .refreshToken:
                    guard let stored = try TokenRepository.refreshToken(hash: hash, in: db) else { continue }
                    guard stored.isActive(now: now) else { return nil }
                    let user = try UserRepository.find(id: stored.userID, in: db)
                    return TokenDescription(kind: .refreshToken, clientID: stored.clientID, user: user, scope: stored.scope,
                                            issuedAt: stored.issuedAt, expiresAt: stored.expiresAt)
                }
            }
            return nil
        }
    }

    /// The grant behind a bearer access token, or nil when the token is not live.
    public func verifyAccessToken(_ token: String) async throws -> AccessGrant? {
        guard TokenHash.isPlausible(token) else { return nil }
        let hash = TokenHash.of(token), now = clock.now()
        return try await database.read { db in
            guard let stored = try TokenRepository.accessToken(hash: hash, in: db), stored.isActive(now: now) else { return nil }
            let user = try stored.userID.flatMap { try UserRepository.find(id: $0, in: db) }
            if stored.userID != nil && user == nil { return nil }
            return AccessGrant(clientID: stored.clientID, user: user, scope: stored.scope, issuedAt: stored.issuedAt, expiresAt: stored.expiresAt)
        }
    }
}
