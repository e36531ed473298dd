import Storage

/// The grants a user's linked accounts hold at their providers, for revoking them all when the
/// account is deleted, after the rows are gone.
extension SocialAuthService {
    /// One linked account's access token, read before its row is deleted.
    public struct Grant: Sendable {
        public let provider: String
        let providerUID: String
        let accessToken: String
    }

    /// The grants of `userID`'s linked accounts, in `db`'s transaction. A token that no longer
    /// opens (a rotated-away key) or was revoked already is skipped: there is nothing to send.
    func grants(userID: Int64, in db: any Connection) throws -> [Grant] {
        try SocialAccountRepository.forUser(userID, in: db).compactMap { account in
            guard account.tokenStatus != .revoked, let token = try? vault.load(accountID: account.id, in: db)?.access else { return nil }
            return Grant(provider: account.provider, providerUID: account.providerUID, accessToken: token)
        }
    }

    /// Revokes each grant at its provider where the provider supports it (and is still
    /// enabled); returns the failures, for the caller to log. One failure stops no other.
    func revokeUpstream(_ grants: [Grant]) async -> [(provider: String, error: SocialAuthError)] {
        var failures: [(provider: String, error: SocialAuthError)] = []
        for grant in grants {
            guard let entry = registry.entry(grant.provider), entry.isEnabled else { continue }
            do {
                let (provider, api) = try await registry.resolve(grant.provider)
                try await provider.revoke?(api, grant.accessToken, grant.providerUID)
            } catch {
                failures.append((grant.provider, error))
            }
        }
        return failures
    }
}
