import Identity
import Storage

/// Changes to an account its owner hears of by mail, whoever made them (it may not have been
/// them at the keyboard). The services decide when one is due and queue it in the transaction
/// of the change; the app turns it into words (`NoticeMail`), since it owns the templates.
public enum SecurityNotice: Sendable, Equatable {
    /// A provider was linked as a way to sign in (`provider` is its display name).
    case signInMethodConnected(provider: String)
    /// A provider was unlinked; `byAdministrator` when an administrator did it.
    case signInMethodDisconnected(provider: String, byAdministrator: Bool)
    /// An administrator removed every second factor (authenticator app, passkeys, recovery codes).
    case secondFactorsReset
    /// The person deleted their account: sent to its address although the account is gone.
    case accountDeleted
    /// A change to the account's second factors (the words are shared with the provider).
    case secondFactor(SecondFactorEvent)

    /// The outbox `kind` of the message.
    public var kind: String {
        switch self {
        case .signInMethodConnected: "sign_in_method_connected"
        case .signInMethodDisconnected: "sign_in_method_disconnected"
        case .secondFactorsReset: "second_factors_reset"
        case .accountDeleted: "account_deleted"
        case .secondFactor(let event): event.kind
        }
    }
}

/// Composes the mail for a notice to a user (at their account address).
public typealias NoticeMail = @Sendable (User, SecurityNotice) -> MailMessage

extension Outbox {
    /// Queues `notice` for `user`, in `db`'s transaction, when they have an address to tell.
    public func enqueue(_ notice: SecurityNotice, for user: User, compose: NoticeMail?, now: Int, in db: any Connection) throws {
        guard let compose, user.email != nil else { return }
        try enqueue(compose(user, notice), kind: notice.kind, userID: user.id, now: now, in: db)
    }
}
