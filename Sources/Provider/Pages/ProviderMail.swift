import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// The provider's mail, written from `provider/mail/<name>` templates. Every link is built on the
/// issuer URL (`PROVIDER_BASE_URL`), never on a request's `Host`, which a visitor chooses. It is
/// written in the language of the request that causes it (its templates and translator).
struct ProviderMail: Sendable {
    let templates: MailTemplates
    let origin: String

    /// Mail from the application's templates, with links on `origin`.
    init(_ context: RequestContext, origin: String) {
        templates = MailTemplates(context.templates, translator: context.translator, folder: "provider/mail", shared: ["origin": .string(origin)])
        self.origin = origin
    }

    /// The link that opens the new-password form.
    @Sendable func passwordReset(_ user: ProviderUser, token: String) -> MailMessage {
        templates.message("password_reset", to: user, subject: Message("Reset your Latchkey ID password"),
                          values: ["link": .string(origin + "/password/reset?token=" + token)])
    }

    /// The notice that the password was changed through a reset link.
    @Sendable func passwordChanged(_ user: ProviderUser) -> MailMessage {
        templates.message("password_changed", to: user, subject: Message("Your Latchkey ID password was changed"))
    }

    /// The code that proves the address.
    @Sendable func verificationCode(_ user: ProviderUser, code: String) -> MailMessage {
        templates.message("email_verification", to: user, subject: Message("Your Latchkey ID code: {{code}}", ["code": code]), values: ["code": .string(code)])
    }

    /// The code that proves an address the account is moving to.
    @Sendable func verificationCode(_ user: ProviderUser, to address: String, code: String) -> MailMessage {
        templates.message("email_verification", to: MailAddress(address, name: user.username), username: user.username,
                          subject: Message("Your Latchkey ID code: {{code}}", ["code": code]), values: ["code": .string(code)])
    }

    /// The notice, sent to the old address, that the account's address was changed.
    @Sendable func emailChanged(_ user: ProviderUser, oldAddress: String) -> MailMessage {
        templates.message("email_changed", to: MailAddress(oldAddress, name: user.username), username: user.username,
                          subject: Message("Your Latchkey ID email address was changed"))
    }

    /// A notice that the account's second factors changed.
    @Sendable func secondFactorNotice(_ user: ProviderUser, _ event: SecondFactorEvent) -> MailMessage {
        let words = event.words(product: "Latchkey ID")
        return templates.message("security_notice", to: user, subject: words.subject, values: ["what": templates.value(words.what)])
    }

    /// The note to an address another account already has, when someone tried to move to it.
    @Sendable func addressInUse(_ address: String) -> MailMessage {
        templates.message("email_in_use", to: MailAddress(address), username: nil, subject: Message("Someone tried to use your address on Latchkey ID"))
    }
}

extension ProviderServices {
    /// The provider's mail for a request's page.
    func mail(_ context: RequestContext) -> ProviderMail { ProviderMail(context, origin: configuration.baseURL) }
}
