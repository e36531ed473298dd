import Identity
import Storage

/// The end of an account, at its owner's request: deleting it, and before that, handing them
/// their data (`AccountLifecycle+Export.swift`).
///
/// Deleting replaces the user's row with a tombstone under the same id (see
/// `UserRepository.replaceWithTombstone`): every row tied to the account goes with the old row
/// by ON DELETE CASCADE (sessions, linked accounts and their sealed tokens, API tokens, codes,
/// reset links, second factors), the username and address are free again at once, and the id
/// is never reused. What stays, on purpose: the audit log (ids, never names: the record of who
/// did what, which the deletion itself joins) and the outbox (its `user_id` has no foreign key,
/// so the notice queued with the deletion is still sent; sent mail is purged after 30 days).
public struct AccountLifecycle: Sendable {
    /// Deletions refused before anything changes.
    public enum Refusal: Error, Sendable, Equatable {
        /// The last enabled administrator cannot leave: nobody could run the console after.
        case lastAdministrator
        /// The account is gone already (deleted in another tab).
        case alreadyDeleted
    }

    /// What a deletion removed, and which upstream revocations failed (for the log).
    public struct Deletion: Sendable {
        public let linkedAccounts: Int
        public let sessions: Int
        public let apiTokens: Int
        public let upstreamFailures: [(provider: String, error: SocialAuthError)]
    }

    let database: any Database
    let social: SocialAuthService
    let clock: Clock
    let outbox: Outbox?

    /// The lifecycle over `database`, revoking linked grants through `social`, mailing through `outbox`.
    public init(database: any Database, social: SocialAuthService, clock: Clock = .system, outbox: Outbox? = nil) {
        self.database = database
        self.social = social
        self.clock = clock
        self.outbox = outbox
    }

    /// Deletes `user`'s account in one transaction, with its audit row (`account_deleted`,
    /// the user's id as actor and target) and the notice `notice` composes (queued before the
    /// row goes, to the address it had). Then revokes the linked accounts' grants at their
    /// providers; a provider that fails is reported, not retried (its token is gone with the row).
    public func delete(_ user: User, ip: String, notice: NoticeMail? = nil) async throws -> Deletion {
        let now = clock.now()
        let social = social, outbox = outbox
        let (linked, sessions, apiTokens, grants) = try await database.write { db -> (Int, Int, Int, [SocialAuthService.Grant]) in
            guard let current = try UserRepository.find(id: user.id, in: db), current.deletedAt == nil else { throw Refusal.alreadyDeleted }
            if current.isAdmin, try UserRepository.otherActiveAdmins(than: current.id, in: db) == 0 { throw Refusal.lastAdministrator }
            let linked = try SocialAccountRepository.forUser(current.id, in: db).count
            let grants = try social.grants(userID: current.id, in: db)
            let sessions = try SessionRepository.active(userID: current.id, now: now, in: db).count
            let apiTokens = try APITokenRepository.liveCount(userID: current.id, now: now, in: db)
            try outbox?.enqueue(.accountDeleted, for: current, compose: notice, now: now, in: db)
            try AuditEvent("account_deleted", actor: current.id, target: current.id,
                           detail: "linked=\(linked) sessions=\(sessions) api_tokens=\(apiTokens)", ip: ip).record(now: now, in: db)
            try UserRepository.replaceWithTombstone(current, now: now, in: db)
            // A connect in flight for this account would find no user; no need to wait for it to expire.
            _ = try db.execute("DELETE FROM oauth_states WHERE user_id = ?", current.id)
            return (linked, sessions, apiTokens, grants)
        }
        let failures = await social.revokeUpstream(grants)
        return Deletion(linkedAccounts: linked, sessions: sessions, apiTokens: apiTokens, upstreamFailures: failures)
    }
}
