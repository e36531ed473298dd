import Identity
import Storage

/// The first proof that the person at the keyboard reads the account's address (a reset link or
/// a sign-in code used, while the address was still unverified) settles who owns the account.
/// Until then anyone could have made it with that address: the "pre-hijacking" attack is to sign
/// up with a victim's address, connect one's own provider account, and wait for the victim to
/// recover the account by mail and start using it, still reachable through that provider. So at
/// that first proof, whatever the unproven owner attached goes: linked provider accounts, API
/// tokens, other sessions. A real owner who connected a provider before verifying connects it
/// again; the notice and the audit row say what happened.
extension AccountService {
    /// In `db`'s transaction, for `user` as they were before the proof: when their address was
    /// unverified, removes what an impostor could have attached, and marks the address verified.
    /// Returns how many linked accounts were removed.
    @discardableResult
    static func settleOwnership(of user: User, keepingSession: String?, ip: String, now: Int, in db: any Connection) throws -> Int {
        guard let email = user.email, !user.emailVerified else { return 0 }
        let links = try SocialAccountRepository.forUser(user.id, in: db)
        for link in links { _ = try SocialAccountRepository.delete(id: link.id, userID: user.id, in: db) }
        let tokens = try APITokenRepository.revokeAll(userID: user.id, now: now, in: db)
        _ = try SessionRepository.endAll(userID: user.id, keeping: keepingSession, in: db)
        _ = try EmailVerification.markVerified(userID: user.id, email: email, now: now, in: db)
        try AuditLog.record("ownership_settled", actor: user.id, target: user.id,
                            detail: "links_removed=\(links.count) api_tokens_revoked=\(tokens)", ip: ip, now: now, in: db)
        return links.count
    }
}
