import Identity
import Localization
import Storage

/// Password reset and address verification on the provider: the identity core's flows (the
/// site runs the same ones), with the provider's own part: a reset also revokes every token
/// the provider issued to the user.
extension UserService {
    /// A message for a user, written by the caller (the controller knows the templates).
    public typealias Message = @Sendable (ProviderUser) -> MailMessage
    /// A message carrying a secret (a reset link's token, a code).
    public typealias SecretMessage = @Sendable (ProviderUser, _ secret: String) -> MailMessage

    // MARK: Password reset

    /// Mails a reset link to the account `identifier` names (a username or an address), if any;
    /// says nothing either way (no enumeration). Throws `TooManyResetRequests` when this
    /// address asks too often; an account asked for too often gets nothing more, silently.
    public func requestPasswordReset(identifier: String, ip: String, message: @escaping SecretMessage) async throws {
        try await resets.request(identifier: identifier, ip: ip, message: message)
    }

    /// The account a live reset link belongs to; nil when the link is dead.
    public func resetLinkHolder(_ token: String) async throws -> ProviderUser? {
        try await resets.holder(of: token)
    }

    /// Sets a new password through a reset link. In one transaction: the link is used up, every
    /// provider session of the user ends, every access and refresh token they hold (with any
    /// client) is revoked and their unexchanged codes deleted, and `notice` is queued for them.
    /// A reset is what someone does after a compromise, so a stolen refresh token must die with
    /// it; consents stay (they are the user's choices, not credentials). Throws `FieldErrors`;
    /// nil when the link is not live.
    public func resetPassword(token: String, new: String, confirmation: String, notice: @escaping Message) async throws -> ProviderUser? {
        try await resets.reset(token: token, new: new, confirmation: confirmation, revoke: { user, now, db in
            try TokenRepository.revokeAll(userID: user.id, now: now, in: db)
        }, notice: notice)
    }

    // MARK: Address verification

    /// Mails a new code for the user's unverified address; throws `TooManyCodes` when asked too often.
    public func sendVerificationCode(to user: ProviderUser, message: @escaping SecretMessage) async throws {
        try await codes.resend(to: user, message: message)
    }

    /// Checks a typed code: a right one makes `email_verified` true for the account's address,
    /// or finishes a move to the address it was sent to (verified; the old address is told).
    public func enterEmailCode(of user: ProviderUser, code: String,
                               notice: @escaping @Sendable (ProviderUser, _ oldAddress: String) -> MailMessage) async throws
        -> EmailVerificationService<ProviderUser>.CodeOutcome {
        try await codes.enter(code: code, for: user, notice: notice)
    }

    /// The address a code is on its way to, when the account is moving there.
    public func pendingEmailChange(for user: ProviderUser) async throws -> String? { try await codes.pendingChange(for: user) }

    /// Starts moving the account to `email` after checking the password, as the site does (see
    /// `EmailVerificationService.requestChange`): nothing changes until the code sent there
    /// comes back, so `email_verified` never speaks for an address nobody proved. Throws
    /// `FieldErrors` or `TooManyCodes`.
    @discardableResult
    public func changeEmail(of user: ProviderUser, to email: String, password: String, ip: String,
                            message: @escaping @Sendable (ProviderUser, _ address: String, _ code: String) -> MailMessage,
                            inUse: @escaping @Sendable (_ address: String) -> MailMessage) async throws -> String {
        try await codes.requestChange(of: user, to: email, authorize: {
            // Checked as a sign-in is, so this form cannot be used to guess the password faster
            // than the sign-in page allows.
            switch try await self.signIn(username: user.username, password: password, ip: ip) {
            case .verified(let checked, _) where checked.id == user.id:
                return
            case .throttled(let wait, _):
                throw FieldErrors("current_password", Localization.Message(one: "Too many wrong passwords. Try again in {{count}} minute.",
                                                                other: "Too many wrong passwords. Try again in {{count}} minutes.", count: (wait + 59) / 60))
            default:
                throw FieldErrors("current_password", Localization.Message("That is not your current password."))
            }
        }, message: message, inUse: inUse)
    }
}
