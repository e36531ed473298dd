import Identity

/// The provider's own expired rows, swept by the identity core's `Housekeeping` beside sessions
/// and sign-in failures. Codes and tokens are kept a day past expiry: a used code replayed
/// within that time still revokes what it issued, instead of reading as unknown.
enum ProviderChores {
    static let all: [Housekeeping.Chore] = [
        Housekeeping.Chore("authorization_codes") { now, db in try TokenRepository.purgeCodes(before: now - 86_400, in: db) },
        Housekeeping.Chore("pushed_authorization_requests") { now, db in try PushedRequests.purge(before: now - 3600, in: db) },
        Housekeeping.Chore("device_authorizations") { now, db in try DeviceAuthorizations.purge(before: now - 3600, in: db) },
        Housekeeping.Chore("initial_access_tokens") { now, db in try ClientRegistration.purge(before: now, in: db) },
        Housekeeping.Chore("tokens") { now, db in try TokenRepository.purgeTokens(before: now - 86_400, in: db) },
        Housekeeping.Chore("dpop_proofs") { now, db in try DPoPVerifier.purge(before: now, in: db) },
        Housekeeping.Chore("signing_keys") { now, db in try SigningKeys.purgeRetired(now: now, in: db) },
        Housekeeping.Chore("grant_sessions") { now, db in try LogoutSessions.purge(before: now - LogoutSessions.keep, in: db) },
    ]
}
