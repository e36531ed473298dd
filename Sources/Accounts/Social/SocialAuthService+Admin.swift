import Storage
import Web

/// What the admin console does to a linked account's stored token.
extension SocialAuthService {
    /// How a forced refresh ended.
    public enum RefreshOutcome: Sendable, Equatable {
        /// A new access token is stored; its expiry (nil: does not expire).
        case refreshed(expiresAt: Int?)
        /// The provider issues no refresh tokens (or none is stored): nothing was changed.
        case notRefreshable
    }

    /// Refreshes the access token of `accountID` now, whatever its expiry (the admin console's
    /// "refresh now"). A refresh the provider refuses marks the account `reconnect`, as
    /// `validAccessToken` does; an unreachable provider changes nothing. `audit(outcome)` is
    /// written in the transaction of whichever change is made.
    public func refreshNow(accountID: Int64, audit: @escaping @Sendable (_ outcome: String) -> AuditEvent) async throws -> RefreshOutcome {
        let vault = vault
        let now = now()
        let loaded = try await database.read { db in
            (try SocialAccountRepository.find(id: accountID, in: db), try vault.load(accountID: accountID, in: db))
        }
        guard let account = loaded.0, let stored = loaded.1, stored.status != .revoked else { throw SocialAuthError.invalidToken }
        let (provider, api) = try await registry.resolve(account.provider)
        guard provider.supportsRefresh, let refresh = stored.refresh else { return .notRefreshable }
        do {
            let renewed = try await OAuthFlow.refresh(provider, api: api, refreshToken: refresh, now: now)
            try await database.write { db in
                try vault.store(renewed, accountID: accountID, now: now, refreshed: true, in: db)
                try audit("refreshed").record(now: now, in: db)
            }
            return .refreshed(expiresAt: renewed.expiresAt)
        } catch SocialAuthError.providerUnavailable(let reason) {
            throw SocialAuthError.providerUnavailable(reason)
        } catch {
            try await database.write { db in
                try TokenVault.setStatus(.reconnect, accountID: accountID, now: now, in: db)
                try audit("refused").record(now: now, in: db)
            }
            throw SocialAuthError.invalidToken
        }
    }

    /// Marks the stored token of `accountID` revoked and revokes the grant upstream where the
    /// provider supports it. The local mark stands even when the upstream call fails; that
    /// failure is returned for the caller to log and show. `audit` is written with the mark.
    @discardableResult
    public func revokeToken(accountID: Int64, audit: AuditEvent) async throws -> SocialAuthError? {
        let vault = vault
        let now = now()
        let (account, token) = try await database.write { db -> (SocialAccount?, String?) in
            let account = try SocialAccountRepository.find(id: accountID, in: db)
            let token = try? vault.load(accountID: accountID, in: db)?.access
            try TokenVault.setStatus(.revoked, accountID: accountID, now: now, in: db)
            try audit.record(now: now, in: db)
            return (account, token)
        }
        guard let account, let token, let entry = registry.entry(account.provider), entry.isEnabled else { return nil }
        do {
            let (provider, api) = try await registry.resolve(account.provider)
            try await provider.revoke?(api, token, account.providerUID)
            return nil
        } catch {
            return error
        }
    }

    /// The stored access tokens of `userID`'s linked accounts, masked (`gho_…wxyz`) for display;
    /// `unreadable` when a ciphertext does not open (a secret key was rotated away).
    public func maskedTokens(userID: Int64) async throws -> [Int64: String] {
        let vault = vault
        return try await database.read { db in
            var masked: [Int64: String] = [:]
            for account in try SocialAccountRepository.forUser(userID, in: db) {
                do {
                    if let stored = try vault.load(accountID: account.id, in: db) { masked[account.id] = TokenVault.mask(stored.access) }
                } catch {
                    masked[account.id] = "unreadable"
                }
            }
            return masked
        }
    }

    /// The definition of an enabled provider (its scopes, for the admin console's providers page).
    public func definition(of id: String) async throws -> ProviderDefinition {
        try await registry.resolve(id).0
    }
}
