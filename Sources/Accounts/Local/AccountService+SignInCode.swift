import Identity
import Storage

/// Signing in with a one-time code mailed to the account's address: the way back in for a
/// person who has no password (a social sign-up), has forgotten it, or meets "an account with
/// this email exists" after a social sign-in and wants to connect that provider (the safe
/// merge: they prove the mailbox, then connect from inside the account).
extension AccountService {
    /// Too many codes asked for from this client address.
    public struct TooManyCodeRequests: Error, Sendable { public let retryAfter: Int }

    /// What entering a sign-in code did.
    public enum SignInCodeOutcome: Sendable, Equatable {
        case signedIn(User)
        /// Wrong; `remaining` tries are left.
        case wrong(remaining: Int)
        /// No live code: none was sent, it expired, or it was tried too often.
        case noLiveCode
    }

    /// Mails a sign-in code to the account `identifier` names (a username or an address), if
    /// there is one that is enabled and has an address, and it has not asked too often. Returns
    /// that account's id, for the caller to keep in the session and check the code against, or
    /// nil; the caller shows the same page either way (no enumeration).
    public func requestSignInCode(identifier raw: String, ip: String,
                                  message: @escaping @Sendable (User, _ code: String) -> MailMessage) async throws -> Int64? {
        guard let outbox else { return nil }
        let identifier = String(IdentityRules.trimmed(raw).prefix(IdentityRules.maxEmailLength))
        let now = clock.now()
        return try await database.write { db -> Int64? in
            if let wait = try SignInCodes.requestLimitPerAddress.hit(ip, now: now, in: db) { throw TooManyCodeRequests(retryAfter: wait) }
            guard !IdentityRules.namesNobody(identifier), let user = try UserRepository.find(identifier: identifier, in: db), !user.isDisabled,
                  let email = user.email else { return nil }
            // Over the per-account limit the code already mailed stays the live one.
            guard try SignInCodes.requestLimit.hit(String(user.id), now: now, in: db) == nil else { return user.id }
            let code = try SignInCodes.issue(userID: user.id, email: email, now: now, in: db)
            try outbox.enqueue(message(user, code), kind: "sign_in_code", userID: user.id, now: now, in: db)
            try AuditLog.record("sign_in_code_requested", actor: nil, target: user.id, ip: ip, now: now, in: db)
            return user.id
        }
    }

    /// Checks a typed sign-in code for `userID`. A right one signs in, and, since it proves the
    /// mailbox, verifies the address it went to if that is still the account's. `action` names
    /// the audit entry (`login`, or `reauthenticated` for a person already signed in).
    /// `keepingSession`: a session already signed in to the account (a re-authentication) that
    /// survives the settling of an unproven account, since its holder just proved the mailbox.
    public func signIn(userID: Int64, code: String, ip: String, action: String = "login",
                       keepingSession: String? = nil) async throws -> SignInCodeOutcome {
        let now = clock.now()
        return try await database.write { db -> SignInCodeOutcome in
            switch try SignInCodes.check(userID: userID, typed: code, now: now, in: db) {
            case .wrong(let remaining): return .wrong(remaining: remaining)
            case .noLiveCode: return .noLiveCode
            case .verified(let email):
                guard var user = try UserRepository.find(id: userID, in: db), !user.isDisabled,
                      IdentityRules.key(email) == user.email.map(IdentityRules.key) else { return .noLiveCode }
                if !user.emailVerified {
                    // The code proved the mailbox: an account nobody had proven is settled now.
                    try Self.settleOwnership(of: user, keepingSession: keepingSession, ip: ip, now: now, in: db)
                    user.emailVerified = true
                }
                try AuditLog.record(action, actor: userID, target: userID, detail: "email_code", ip: ip, now: now, in: db)
                return .signedIn(user)
            }
        }
    }
}
