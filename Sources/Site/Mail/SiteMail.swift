import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// Composes the site's mail from the `site/mail/<name>.txt` and `.html` templates. Made per
/// request, because links are built on the site's origin (`BASE_URL`, or the request's host when
/// it is unset) and the templates live on the application; the identity core's `MailTemplates`
/// renders them. Every message gets `username`, `origin` and its own values. The request also
/// picks the language: its templates and translator (see `LanguageMiddleware`), so the mail
/// reads like the page that caused it.
struct SiteMail: Sendable {
    let templates: MailTemplates
    let origin: String

    init(_ request: Request, _ context: RequestContext, services: SiteServices) {
        origin = services.configuration.origin(for: request)
        templates = MailTemplates(context.templates, translator: context.translator, folder: "site/mail", shared: ["origin": .string(origin)])
    }

    /// A message to `user` at their account address.
    func message(_ name: String, to user: User, subject: Message, _ values: [String: MustacheValue] = [:]) -> MailMessage {
        templates.message(name, to: user, subject: subject, values: values)
    }

    /// A message to `address`, greeting `username` (nil: nobody in particular).
    func message(_ name: String, to address: MailAddress, username: String?, subject: Message,
                 _ values: [String: MustacheValue] = [:]) -> MailMessage {
        templates.message(name, to: address, username: username, subject: subject, values: values)
    }

    // MARK: The messages

    /// A verification code for `address` (the account's, or the one it is changing to).
    func code(_ user: User, to address: String, _ code: String) -> MailMessage {
        message("email_verification", to: MailAddress(address, name: user.username), username: user.username,
                subject: Message("Your Latchkey code: {{code}}", ["code": code]), ["code": .string(code)])
    }

    /// Tells `address` that someone tried to use it for an account while another already has it.
    func addressInUse(_ address: String) -> MailMessage {
        message("email_in_use", to: MailAddress(address), username: nil, subject: Message("Someone tried to use your address on Latchkey"))
    }

    /// The words for a notice the services queued.
    func notice(_ user: User, _ event: SecurityNotice) -> MailMessage {
        switch event {
        case .signInMethodConnected(let provider):
            notice(user, subject: Message("{{provider}} was connected to your Latchkey account", ["provider": provider]),
                   what: Message("{{provider}} was just connected to your Latchkey account: it can now be used to sign in.", ["provider": provider]))
        case .signInMethodDisconnected(let provider, let byAdministrator):
            notice(user, subject: Message("{{provider}} was disconnected from your Latchkey account", ["provider": provider]),
                   what: byAdministrator
                       ? Message("{{provider}} was just disconnected from your Latchkey account by an administrator: it can no longer be used to sign in.",
                                 ["provider": provider])
                       : Message("{{provider}} was just disconnected from your Latchkey account: it can no longer be used to sign in.", ["provider": provider]))
        case .secondFactorsReset:
            notice(user, subject: Message("Your Latchkey two-factor authentication was reset"),
                   what: Message("An administrator just removed the authenticator app, passkeys and recovery codes of your Latchkey account, so signing in needs only your password or a linked account again. Set up a second factor again on your account page."))
        case .accountDeleted:
            notice(user, subject: Message("Your Latchkey account was deleted"),
                   what: Message("Your Latchkey account {{username}} was just deleted, with its linked accounts, sessions and API tokens. This is the last message we send you about it.",
                                 ["username": user.username]), final: true)
        case .secondFactor(let event):
            notice(user, event.words(product: "Latchkey"))
        }
    }

    func notice(_ user: User, _ words: (subject: Message, what: Message)) -> MailMessage {
        notice(user, subject: words.subject, what: words.what)
    }

    /// A security notice to the account's address: `what` happened (a sentence fragment).
    /// `final`: the account is gone, so the usual "review your account" advice is left out.
    func notice(_ user: User, subject: Message, what: Message, to address: String? = nil, final: Bool = false) -> MailMessage {
        message("security_notice", to: MailAddress(address ?? user.email ?? "", name: user.username), username: user.username,
                subject: subject, ["what": templates.value(what), "final": .bool(final)])
    }
}
