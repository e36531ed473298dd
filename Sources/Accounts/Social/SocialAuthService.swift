import Localization
import Foundation
import Identity
import Security
import Storage
import Web

/// Social sign-in and account linking, for every provider: starting an authorization, finishing
/// it from the callback, the linking policy, disconnecting, and handing out valid tokens.
public struct SocialAuthService: Sendable {
    /// What the person was doing when they went to the provider.
    public enum Intent: Sendable, Equatable {
        case signIn
        case connect(userID: Int64)
    }

    /// How a completed authorization ended.
    public enum Outcome: Sendable {
        case signedIn(User, created: Bool, returnTo: String?)
        case connected(User, provider: String, returnTo: String?)
        /// A new account needs a username or an address first (see `SocialSignUp.swift`):
        /// `token`, kept in the browser's session, names the waiting sign-up.
        case needsProfile(token: String)
    }

    /// States live ten minutes.
    public static let stateLifetime = 600

    /// The `error` values providers send when the person pressed Cancel or Deny: the standard one,
    /// and LinkedIn's own.
    static let cancellationErrors: Set<String> = ["access_denied", "user_cancelled_authorize", "user_cancelled_login"]

    public let registry: ProviderRegistry
    let database: any Database
    let keys: KeyRing
    let vault: TokenVault
    /// Link a new social account to an existing local account with the same email, but only
    /// when the provider says the email is verified and the local one is verified too. Off by
    /// default: silent linking on email is how accounts get taken over.
    let autoLinkVerifiedEmails: Bool
    /// Seconds one sign-in may spend calling its provider, all calls together.
    let signInDeadline: Double
    /// Where notices of linked and unlinked sign-in methods go; nil when mail is off.
    let outbox: Outbox?
    let now: @Sendable () -> Int

    public init(database: any Database, registry: ProviderRegistry, keys: KeyRing, autoLinkVerifiedEmails: Bool = false,
                signInDeadline: Double = 20, outbox: Outbox? = nil, now: @escaping @Sendable () -> Int = { Clock.now }) {
        self.outbox = outbox
        self.database = database
        self.registry = registry
        self.keys = keys
        self.vault = TokenVault(keys: keys)
        self.autoLinkVerifiedEmails = autoLinkVerifiedEmails
        self.signInDeadline = signInDeadline
        self.now = now
    }

    // MARK: Starting

    /// Stores a fresh, single-use state (with PKCE verifier and nonce) and returns the provider's
    /// authorize URL. `sessionBinding` is a random value kept in the browser's session: the
    /// callback must come back with the same one, so a code injected into another browser fails.
    public func begin(provider id: String, intent: Intent, returnTo: String?, sessionBinding: String,
                      redirectURI: String) async throws -> String {
        let (provider, api) = try await registry.resolve(id)
        let state = SecureRandom.token()
        let verifier = provider.usesPKCE ? SecureRandom.token(byteCount: 48) : nil
        let nonce = provider.openID?.checksNonce == true ? SecureRandom.token(byteCount: 16) : nil
        let now = now()
        var userID: Int64?
        if case .connect(let id) = intent { userID = id }
        let pending = PendingAuthorization(
            provider: id, intent: userID == nil ? .signIn : .connect, userID: userID,
            sessionBinding: Self.hash(sessionBinding), codeVerifier: verifier, nonce: nonce,
            returnTo: LocalRedirect.path(returnTo), redirectURI: redirectURI, expiresAt: now + Self.stateLifetime)
        let keys = keys
        try await database.write { db in try OAuthStateRepository.insert(stateHash: Self.hash(state), pending, keys: keys, now: now, in: db) }
        return OAuthFlow.authorizeURL(provider, clientID: api.clientID, redirectURI: redirectURI, state: state,
                                      codeChallenge: verifier.map(OAuthFlow.codeChallenge), nonce: nonce)
    }

    // MARK: Finishing

    /// Handles the provider's redirect back to us: checks the state, exchanges the code, fetches
    /// the profile and applies the linking policy. Every failure is a `SocialAuthError` and leaves
    /// no user, link or token behind.
    public func complete(provider id: String, query: FormData, sessionBinding: String?, ip: String, notice: NoticeMail? = nil) async throws -> Outcome {
        try await completeWithClaims(provider: id, query: query, sessionBinding: sessionBinding, ip: ip, notice: notice).outcome
    }

    /// `complete`, also returning the verified id_token's claims (nil for plain OAuth 2.0
    /// providers): the site records the provider's `sub` and `sid` with the session it signs
    /// in, for back-channel logout.
    public func completeWithClaims(provider id: String, query: FormData, sessionBinding: String?, ip: String,
                                   notice: NoticeMail? = nil) async throws -> (outcome: Outcome, idClaims: Claims?) {
        // Consume the state first, whatever else the callback says: a state is good once.
        let pending = try await takeState(query["state"], provider: id, sessionBinding: sessionBinding)
        if let error = query["error"] {
            throw Self.cancellationErrors.contains(error) ? SocialAuthError.cancelled : .providerRejected(String(error.prefix(100)))
        }
        guard let code = query["code"], !code.isEmpty, code.utf8.count <= 2048 else { throw SocialAuthError.missingCode }
        // Every call to the provider below shares one deadline, instead of timeouts that add up.
        return try await OutboundDeadline.run(seconds: signInDeadline) {
            let (provider, api) = try await registry.resolve(id)
            let now = now()
            var tokens = try await OAuthFlow.exchange(provider, api: api, code: code, redirectURI: pending.redirectURI,
                                                      codeVerifier: pending.codeVerifier, now: now)
            if let after = provider.afterExchange { tokens = try await after(api, tokens) }
            if let openID = provider.openID {
                guard let idToken = tokens.idToken else { throw SocialAuthError.invalidIDToken("no id_token in the token reply") }
                tokens.idClaims = try await registry.jwks.verify(idToken, settings: openID, api: api, nonce: pending.nonce, now: now)
            }
            let profile = try await provider.fetchProfile(api, tokens)
            let intent: Intent = pending.intent == .connect ? .connect(userID: pending.userID ?? -1) : .signIn
            return (try await link(profile, tokens: tokens, provider: provider, intent: intent, returnTo: pending.returnTo, ip: ip,
                                   notice: notice, profileForm: true), tokens.idClaims)
        }
    }

    private func takeState(_ state: String?, provider: String, sessionBinding: String?) async throws -> PendingAuthorization {
        guard let state, !state.isEmpty, state.utf8.count <= 512 else { throw SocialAuthError.invalidState }
        let keys = keys
        let hash = Self.hash(state)
        guard let pending = try await database.write({ db in try OAuthStateRepository.take(stateHash: hash, keys: keys, in: db) }) else {
            throw SocialAuthError.invalidState
        }
        guard pending.provider == provider, let sessionBinding,
              constantTimeEquals(Array(pending.sessionBinding.utf8), Array(Self.hash(sessionBinding).utf8)) else {
            throw SocialAuthError.invalidState
        }
        guard pending.expiresAt > now() else { throw SocialAuthError.expiredState }
        return pending
    }

    // MARK: Linking policy

    /// Applies the linking policy to a verified profile, in one transaction: the user, the link
    /// and the tokens are written together or not at all. Two simultaneous callbacks for the
    /// same new account meet at the unique index on (provider, uid): the loser retries and finds
    /// the winner's user.
    /// A new link (connect, or an automatic link on a verified address) queues `notice` to the
    /// account's address. With `profileForm` (the browser flow), a new account whose provider
    /// gave no verified address, or whose username is taken, waits for the profile form
    /// (`needsProfile`); without it (front ends over the API) it is created at once.
    public func link(_ profile: NormalizedProfile, tokens: TokenSet, provider: ProviderDefinition, intent: Intent,
                     returnTo: String?, ip: String, notice: NoticeMail? = nil, profileForm: Bool = false) async throws -> Outcome {
        do {
            do {
                return try await linkOnce(profile, tokens: tokens, provider: provider, intent: intent, returnTo: returnTo, ip: ip, notice: notice,
                                          profileForm: profileForm)
            } catch DatabaseError.uniqueViolation {
                return try await linkOnce(profile, tokens: tokens, provider: provider, intent: intent, returnTo: returnTo, ip: ip, notice: notice,
                                          profileForm: profileForm)
            }
        } catch let error as SocialAuthError {
            if let reason = Self.refusalReason(error) {
                try await recordRefusal(reason, profile: profile, provider: provider.id, intent: intent, ip: ip)
            }
            throw error
        }
    }

    /// The audit wording of a sign-in (or connect) the linking policy refused; nil for errors
    /// that are not a refusal of a person (a provider outage, a bad state).
    static func refusalReason(_ error: SocialAuthError) -> String? {
        switch error {
        case .accountDisabled: "account disabled"
        case .linkedToAnotherUser: "linked to another account"
        case .emailBelongsToExistingAccount: "address belongs to an existing account"
        default: nil
        }
    }

    /// Records `social_refused` about the account the attempt met (the linked one, or the one
    /// holding the address), after the refused transaction rolled back.
    private func recordRefusal(_ reason: String, profile: NormalizedProfile, provider: String, intent: Intent, ip: String) async throws {
        let now = now()
        let actor: Int64? = if case .connect(let userID) = intent { userID } else { nil }
        try await database.write { db in
            var target = try SocialAccountRepository.find(provider: provider, uid: profile.uid, in: db)?.userID
            if target == nil, profile.emailVerified, let email = profile.email { target = try UserRepository.find(email: email, in: db)?.id }
            try AuditLog.record("social_refused", actor: actor, target: target, detail: "\(provider): \(reason)", ip: ip, now: now, in: db)
        }
    }

    private func linkOnce(_ profile: NormalizedProfile, tokens: TokenSet, provider: ProviderDefinition, intent: Intent,
                          returnTo: String?, ip: String, notice: NoticeMail?, profileForm: Bool) async throws -> Outcome {
        let outbox = outbox
        let connected = SecurityNotice.signInMethodConnected(provider: registry.entry(provider.id)?.displayName ?? provider.id)
        let now = now()
        let vault = vault
        let autoLink = autoLinkVerifiedEmails
        let json = String(decoding: (try? JSONEncoder().encode(profile.raw)) ?? Data("{}".utf8), as: UTF8.self)
        let providerID = provider.id
        return try await database.write { db -> Outcome in
            let existing = try SocialAccountRepository.find(provider: providerID, uid: profile.uid, in: db)
            switch intent {
            case .connect(let userID):
                guard let user = try UserRepository.find(id: userID, in: db) else { throw SocialAuthError.invalidState }
                if let existing {
                    guard existing.userID == userID else { throw SocialAuthError.linkedToAnotherUser(provider: providerID) }
                    try SocialAccountRepository.refresh(id: existing.id, profile: profile, profileJSON: json, now: now, in: db)
                    try vault.store(tokens, accountID: existing.id, now: now, in: db)
                } else {
                    let accountID = try SocialAccountRepository.insert(userID: userID, provider: providerID, profile: profile,
                                                                       profileJSON: json, now: now, in: db)
                    try vault.store(tokens, accountID: accountID, now: now, in: db)
                    try AuditLog.record("social_connect", actor: userID, target: userID, detail: providerID, ip: ip, now: now, in: db)
                    try outbox?.enqueue(connected, for: user, compose: notice, now: now, in: db)
                }
                return .connected(user, provider: providerID, returnTo: returnTo)

            case .signIn:
                if let existing {
                    guard let user = try UserRepository.find(id: existing.userID, in: db) else { throw SocialAuthError.invalidState }
                    if user.isDisabled { throw SocialAuthError.accountDisabled }
                    try SocialAccountRepository.refresh(id: existing.id, profile: profile, profileJSON: json, now: now, in: db)
                    try vault.store(tokens, accountID: existing.id, now: now, in: db)
                    try AuditLog.record("login", actor: user.id, target: user.id, detail: providerID, ip: ip, now: now, in: db)
                    return .signedIn(user, created: false, returnTo: returnTo)
                }
                // Only a verified address claims an email (issue 12): an unverified one proves
                // nothing, so it neither meets an existing account nor takes the address.
                let claimed = profile.emailVerified ? profile.email : nil
                let holder = try claimed.flatMap { try UserRepository.find(email: $0, in: db) }
                if let local = holder, local.emailVerified {
                    // Never link silently on an email match; see `autoLinkVerifiedEmails`.
                    guard autoLink, !local.isDisabled else {
                        throw SocialAuthError.emailBelongsToExistingAccount(provider: providerID, email: local.email ?? "")
                    }
                    let accountID = try SocialAccountRepository.insert(userID: local.id, provider: providerID, profile: profile,
                                                                       profileJSON: json, now: now, in: db)
                    try vault.store(tokens, accountID: accountID, now: now, in: db)
                    try AuditLog.record("social_autolink", actor: local.id, target: local.id, detail: providerID, ip: ip, now: now, in: db)
                    try outbox?.enqueue(connected, for: local, compose: notice, now: now, in: db)
                    return .signedIn(local, created: false, returnTo: returnTo)
                }
                let (username, wanted) = try Self.uniqueUsername(for: profile, provider: providerID, in: db)
                // An address an unverified local account holds is not taken from it here either:
                // the new account starts without one (its social account keeps the provider's).
                let email = holder == nil ? claimed : nil
                if profileForm && (email == nil || username != wanted) {
                    let token = try park(profile, tokens: tokens, provider: providerID, returnTo: returnTo, suggestedUsername: username,
                                         now: now, in: db)
                    return .needsProfile(token: token)
                }
                let user = try UserRepository.insert(username: username, email: email, emailVerified: email != nil,
                                                     passwordHash: nil, isAdmin: false, now: now, in: db)
                let accountID = try SocialAccountRepository.insert(userID: user.id, provider: providerID, profile: profile,
                                                                   profileJSON: json, now: now, in: db)
                try vault.store(tokens, accountID: accountID, now: now, in: db)
                try AuditLog.record("social_signup", actor: user.id, target: user.id, detail: providerID, ip: ip, now: now, in: db)
                return .signedIn(user, created: true, returnTo: returnTo)
            }
        }
    }

    /// A free username from the profile: login, then name, then the email's local part, made of
    /// allowed characters, with `-2`, `-3`… appended while taken; and the one wanted before that.
    static func uniqueUsername(for profile: NormalizedProfile, provider: String, in db: any Connection) throws -> (free: String, wanted: String) {
        func clean(_ text: String?) -> String? {
            guard let text else { return nil }
            let kept = String(text.unicodeScalars.compactMap { s -> Character? in
                if s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "_" || s == "-" || s == ".") { return Character(s) }
                return s == " " ? "-" : nil
            }.prefix(24))
            return kept.count >= 3 ? kept : nil
        }
        let base = clean(profile.login) ?? clean(profile.name) ?? clean(profile.email?.split(separator: "@").first.map(String.init))
            ?? "\(provider)-user"
        if try UserRepository.find(username: base, in: db) == nil { return (base, base) }
        for n in 2...50 where try UserRepository.find(username: "\(base)-\(n)", in: db) == nil { return ("\(base)-\(n)", base) }
        return ("\(base)-\(SecureRandom.token(byteCount: 3).lowercased())", base)
    }

    // MARK: Connections

    /// The user's linked accounts with their token states.
    public func connections(userID: Int64) async throws -> [SocialAccount] {
        try await database.read { db in try SocialAccountRepository.forUser(userID, in: db) }
    }

    /// Unlinks a social account of `userID`, refusing to remove the last way to sign in. The grant
    /// is revoked upstream afterwards where the provider supports it; a failure there is logged
    /// by the caller (the returned error), never shown as a failed disconnect. The audit row
    /// (`audit`, or the person's own `social_disconnect`) is written in the unlinking transaction.
    @discardableResult
    public func disconnect(accountID: Int64, userID: Int64, ip: String, audit: AuditEvent? = nil,
                           notice: NoticeMail? = nil) async throws -> (account: SocialAccount, upstreamError: SocialAuthError?) {
        let vault = vault
        let outbox = outbox
        let registry = registry
        let now = now()
        let (account, token) = try await database.write { db -> (SocialAccount, String?) in
            guard let account = try SocialAccountRepository.find(id: accountID, in: db), account.userID == userID,
                  let user = try UserRepository.find(id: userID, in: db) else {
                throw HTTPError(.notFound, Message("That linked account does not exist."))
            }
            let others = try SocialAccountRepository.forUser(userID, in: db).filter { $0.id != accountID }
            guard user.hasPassword || !others.isEmpty else { throw SocialAuthError.lastSignInMethod }
            let token = try? vault.load(accountID: accountID, in: db)?.access
            _ = try SocialAccountRepository.delete(id: accountID, userID: userID, in: db)
            try (audit ?? AuditEvent("social_disconnect", actor: userID, target: userID, detail: account.provider, ip: ip)).record(now: now, in: db)
            let disconnected = SecurityNotice.signInMethodDisconnected(provider: registry.entry(account.provider)?.displayName ?? account.provider,
                                                                       byAdministrator: audit != nil)
            try outbox?.enqueue(disconnected, for: user, compose: notice, now: now, in: db)
            return (account, token)
        }
        guard let token, let entry = registry.entry(account.provider), entry.isEnabled else { return (account, nil) }
        do {
            let (provider, api) = try await registry.resolve(account.provider)
            try await provider.revoke?(api, token, account.providerUID)
            return (account, nil)
        } catch {
            return (account, error)
        }
    }

    // MARK: Tokens

    /// A usable access token for a linked account: the stored one while it has more than a minute
    /// left, else a refreshed one. When it cannot be refreshed the account is marked
    /// `reconnect` and `invalidToken` is thrown: the person must connect again.
    public func validAccessToken(accountID: Int64) async throws -> String {
        let vault = vault
        let now = now()
        let loaded = try await database.read { db in
            (try SocialAccountRepository.find(id: accountID, in: db), try vault.load(accountID: accountID, in: db))
        }
        guard let account = loaded.0, let stored = loaded.1, stored.status != .revoked else { throw SocialAuthError.invalidToken }
        if stored.status == .active, (stored.expiresAt ?? Int.max) > now + 60 { return stored.access }
        do {
            let (provider, api) = try await registry.resolve(account.provider)
            guard provider.supportsRefresh, let refresh = stored.refresh else { throw SocialAuthError.invalidToken }
            let renewed = try await OAuthFlow.refresh(provider, api: api, refreshToken: refresh, now: now)
            try await database.write { db in try vault.store(renewed, accountID: accountID, now: now, refreshed: true, in: db) }
            return renewed.accessToken
        } catch SocialAuthError.providerUnavailable(let reason) {
            // An outage says nothing about the grant: keep the status, let the caller retry.
            throw SocialAuthError.providerUnavailable(reason)
        } catch {
            try await database.write { db in try TokenVault.setStatus(.reconnect, accountID: accountID, now: now, in: db) }
            throw SocialAuthError.invalidToken
        }
    }

    static func hash(_ value: String) -> String { Hex.encode(SHA256.hash(value)) }
}
