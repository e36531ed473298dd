/// What the identity core needs of an app's user to mail them reset links, codes and notices.
///
/// The apps own their `users` tables; besides the columns `Credentials` relies on, the core's
/// SQL for addresses (`EmailVerification.markVerified`, `changeAddress`) relies on each having
/// `email`, `email_key` (case-folded, unique) and `email_verified`.
public protocol AccountHolder: Sendable {
    /// The immutable numeric identity.
    var id: Int64 { get }
    /// What the person signs in with, shown in mail and checked against new passwords.
    var username: String { get }
    /// The account's address; nil when it has none (a site account made by social sign-in).
    var emailAddress: String? { get }
    /// Whether the address is proven.
    var emailVerified: Bool { get }
}

extension AccountHolder {
    /// Where mail for the account goes, with the username as display name; nil without an address.
    public var mailbox: MailAddress? { emailAddress.map { MailAddress($0, name: username) } }
}
