import Foundation
import Identity
import Localization
import Security
import Storage

/// Profile completion on social sign-up (issue 12). When a provider gives no verified address,
/// or the username made from its profile is taken, the browser flow does not create the account
/// at once: the profile and tokens wait, sealed, in `pending_social_signups`, and a short form
/// asks for a username and an address. A chosen address gets a code and counts only once the
/// code comes back; when email is optional the person may go on without one. Only then is the
/// account written, with its link and tokens, in one transaction.
extension SocialAuthService {
    /// Thirty minutes to fill in the form.
    public static let pendingSignUpLifetime = 1800

    /// A waiting sign-up as its form shows it.
    public struct PendingSignUp: Sendable, Equatable {
        public let provider: String
        /// What the form starts with: the username made from the profile, the provider's
        /// address (verified or not: it is only a suggestion).
        public let suggestedUsername: String
        public let suggestedEmail: String?
        /// Whether the provider vouched for `suggestedEmail` (then keeping it needs no code).
        public let emailVerifiedByProvider: Bool
        /// Set once a code is on its way: the chosen username and address.
        public let chosenUsername: String?
        public let codeSentTo: String?
    }

    /// What the form's answer led to.
    public enum ProfileOutcome: Sendable, Equatable {
        /// The account exists and is signed in.
        case created(User)
        /// A code went to the chosen address (or, when it has an account, a note did).
        case codeSent(String)
    }

    /// What a typed code led to.
    public enum ProfileCodeOutcome: Sendable, Equatable {
        case created(User)
        case wrong(remaining: Int)
        case noLiveCode
        /// The chosen username went to someone else meanwhile: choose again.
        case usernameTaken
    }

    /// What waits: the profile, the tokens, where to go afterwards.
    struct Payload: Codable {
        var uid: String, login: String?, name: String?, email: String?, emailVerified: Bool, avatarURL: String?, raw: JSONValue
        var access: String, refresh: String?, tokenType: String, scopes: [String], expiresAt: Int?, refreshExpiresAt: Int?
        var returnTo: String?, suggestedUsername: String

        init(_ profile: NormalizedProfile, _ tokens: TokenSet, returnTo: String?, suggestedUsername: String) {
            (uid, login, name, email, emailVerified, avatarURL, raw) =
                (profile.uid, profile.login, profile.name, profile.email, profile.emailVerified, profile.avatarURL, profile.raw)
            (access, refresh, tokenType, scopes, expiresAt, refreshExpiresAt) =
                (tokens.accessToken, tokens.refreshToken, tokens.tokenType, tokens.scopes, tokens.expiresAt, tokens.refreshExpiresAt)
            self.returnTo = returnTo
            self.suggestedUsername = suggestedUsername
        }

        var profile: NormalizedProfile {
            NormalizedProfile(uid: uid, login: login, name: name, email: email, emailVerified: emailVerified, avatarURL: avatarURL, raw: raw)
        }

        var tokens: TokenSet {
            TokenSet(accessToken: access, refreshToken: refresh, tokenType: tokenType, scopes: scopes, expiresAt: expiresAt,
                     refreshExpiresAt: refreshExpiresAt)
        }
    }

    static let pendingPurpose = "pending-social-signup"

    /// Parks a sign-up for the form, in `db`'s transaction; returns the token for the session.
    func park(_ profile: NormalizedProfile, tokens: TokenSet, provider: String, returnTo: String?, suggestedUsername: String,
              now: Int, in db: any Connection) throws -> String {
        let token = SecureRandom.token()
        let hash = Self.hash(token)
        let payload = Payload(profile, tokens, returnTo: returnTo, suggestedUsername: suggestedUsername)
        let sealed = keys.seal((try? JSONEncoder().encode(payload)).map(Array.init) ?? [], purpose: Self.pendingPurpose,
                               associatedData: Array(hash.utf8))
        try db.execute("""
            INSERT INTO pending_social_signups (token_hash, provider, payload_enc, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
            """, hash, provider, sealed, now, now + Self.pendingSignUpLifetime)
        return token
    }

    private struct Parked {
        let provider: String
        let payload: Payload
        let username: String?
        let email: String?
        let codeHash: String?
        let attempts: Int
    }

    private func load(_ token: String, now: Int, in db: any Connection) throws -> Parked? {
        guard token.utf8.count <= 128 else { return nil }
        let hash = Self.hash(token)
        guard let row = try db.queryOne("""
            SELECT provider, payload_enc, username, email, code_hash, attempts FROM pending_social_signups
            WHERE token_hash = ? AND expires_at > ?
            """, hash, now),
            let bytes = try? keys.open(try row.string("payload_enc"), purpose: Self.pendingPurpose, associatedData: Array(hash.utf8)),
            let payload = try? JSONDecoder().decode(Payload.self, from: Data(bytes)) else { return nil }
        return Parked(provider: try row.string("provider"), payload: payload, username: try row.optionalString("username"),
                      email: try row.optionalString("email"), codeHash: try row.optionalString("code_hash"), attempts: try row.int("attempts"))
    }

    /// The waiting sign-up `token` names, or nil when it is unknown or expired.
    public func pendingSignUp(_ token: String) async throws -> PendingSignUp? {
        let now = now()
        guard let parked = try await database.read({ db in try self.load(token, now: now, in: db) }) else { return nil }
        return PendingSignUp(provider: parked.provider, suggestedUsername: parked.payload.suggestedUsername,
                             suggestedEmail: parked.payload.email, emailVerifiedByProvider: parked.payload.emailVerified,
                             chosenUsername: parked.username, codeSentTo: parked.codeHash == nil ? nil : parked.email)
    }

    /// Takes the form: a free username, and an address (empty is allowed only when
    /// `emailRequired` is false). The provider's own verified address needs no code; any other
    /// gets one, or, when another account has it, a note instead (the same outcome, so the
    /// form tells nobody which addresses have accounts). Throws `FieldErrors`.
    public func completeProfile(_ token: String, username rawUsername: String, email rawEmail: String, emailRequired: Bool, ip: String,
                                code message: @escaping @Sendable (_ address: String, _ username: String, _ code: String) -> MailMessage,
                                inUse: @escaping @Sendable (_ address: String) -> MailMessage,
                                notice: NoticeMail? = nil) async throws -> ProfileOutcome? {
        let username = IdentityRules.trimmed(rawUsername), email = IdentityRules.trimmed(rawEmail)
        var errors = FieldErrors()
        if let problem = IdentityRules.usernameProblem(username) { errors["username"] = problem }
        if email.isEmpty {
            if emailRequired { errors["email"] = Message("Enter your email address: this site needs one.") }
        } else if let problem = IdentityRules.emailProblem(email) {
            errors["email"] = problem
        }
        guard errors.isEmpty else { throw errors }
        let now = now()
        let outbox = outbox
        do {
            return try await database.write { db -> ProfileOutcome? in
                guard let parked = try self.load(token, now: now, in: db) else { return nil }
                if try UserRepository.find(username: username, in: db) != nil { throw FieldErrors("username", Message("That username is taken.")) }
                let payload = parked.payload
                let providerVouches = payload.emailVerified && payload.email.map(IdentityRules.key) == IdentityRules.key(email)
                if email.isEmpty || providerVouches {
                    if providerVouches, try UserRepository.find(email: email, in: db) != nil {
                        throw FieldErrors("email", Message("Another account uses this address. Sign in to it and connect from there, or choose another address."))
                    }
                    return .created(try self.create(parked, token: token, username: username, email: email.isEmpty ? nil : email,
                                                    ip: ip, now: now, in: db))
                }
                guard let outbox else { throw FieldErrors("email", Message("Email is turned off on this site; leave the address empty.")) }
                let code = OneTimeCodes.generate()
                if try UserRepository.find(email: email, in: db) != nil {
                    // A code nobody receives: the form goes on as usual, and can never finish.
                    try outbox.enqueue(inUse(email), kind: "email_in_use", userID: nil, now: now, in: db)
                    try self.storeCode(OneTimeCodes.digest(OneTimeCodes.generate()), token: token, username: username, email: email, in: db)
                } else {
                    try outbox.enqueue(message(email, username, code), kind: "email_verification", userID: nil, now: now, in: db)
                    try self.storeCode(OneTimeCodes.digest(code), token: token, username: username, email: email, in: db)
                }
                return .codeSent(email)
            }
        } catch DatabaseError.uniqueViolation {
            throw FieldErrors("username", Message("That username is taken."))
        }
    }

    private func storeCode(_ hash: String, token: String, username: String, email: String, in db: any Connection) throws {
        try db.execute("UPDATE pending_social_signups SET username = ?, email = ?, code_hash = ?, attempts = 0 WHERE token_hash = ?",
                       username, email, hash, Self.hash(token))
    }

    /// Checks the code mailed to the chosen address; a right one creates the account with it,
    /// verified.
    public func confirmProfileCode(_ token: String, code: String, ip: String) async throws -> ProfileCodeOutcome {
        let now = now()
        do {
            return try await database.write { db -> ProfileCodeOutcome in
                guard let parked = try self.load(token, now: now, in: db), let hash = parked.codeHash, let email = parked.email,
                      let username = parked.username, parked.attempts < OneTimeCodes.maxAttempts else { return .noLiveCode }
                guard OneTimeCodes.matches(code, hash: hash) else {
                    let attempts = parked.attempts + 1
                    try db.execute("UPDATE pending_social_signups SET attempts = ? WHERE token_hash = ?", attempts, Self.hash(token))
                    return attempts >= OneTimeCodes.maxAttempts ? .noLiveCode : .wrong(remaining: OneTimeCodes.maxAttempts - attempts)
                }
                if try UserRepository.find(username: username, in: db) != nil {
                    try db.execute("UPDATE pending_social_signups SET code_hash = NULL WHERE token_hash = ?", Self.hash(token))
                    return .usernameTaken
                }
                return .created(try self.create(parked, token: token, username: username, email: email, ip: ip, now: now, in: db))
            }
        } catch DatabaseError.uniqueViolation {
            return .usernameTaken
        }
    }

    /// The account at last: user, link and tokens together, and the parked row gone. A
    /// provider uid linked meanwhile (the same person finished in another tab) is a conflict.
    private func create(_ parked: Parked, token: String, username: String, email: String?, ip: String, now: Int,
                        in db: any Connection) throws -> User {
        let profile = parked.payload.profile
        if try SocialAccountRepository.find(provider: parked.provider, uid: profile.uid, in: db) != nil {
            throw SocialAuthError.linkedToAnotherUser(provider: parked.provider)
        }
        let json = String(decoding: (try? JSONEncoder().encode(profile.raw)) ?? Data("{}".utf8), as: UTF8.self)
        let user = try UserRepository.insert(username: username, email: email, emailVerified: email != nil, passwordHash: nil,
                                             isAdmin: false, now: now, in: db)
        let accountID = try SocialAccountRepository.insert(userID: user.id, provider: parked.provider, profile: profile, profileJSON: json,
                                                           now: now, in: db)
        try vault.store(parked.payload.tokens, accountID: accountID, now: now, in: db)
        try db.execute("DELETE FROM pending_social_signups WHERE token_hash = ?", Self.hash(token))
        try AuditLog.record("social_signup", actor: user.id, target: user.id, detail: parked.provider, ip: ip, now: now, in: db)
        return user
    }

    /// Where the person was going when they started, for after the form.
    public func pendingReturnPath(_ token: String) async throws -> String? {
        let now = now()
        return try await database.read { db in try self.load(token, now: now, in: db)?.payload.returnTo }
    }
}
