import Identity
import Localization
import Mustache

/// Mail written from an app's templates, for both apps: `<folder>/<name>.txt` is the text part
/// and `<folder>/<name>.html`, when there is one, the HTML part. Every message is addressed to an
/// account holder, whose `username` the templates can use beside the app's shared values (its
/// origin for links, say) and the message's own.
///
/// A mail is written in the language of the request that causes it: `templates` is that
/// language's library (`context.templates`) and `translator` turns subjects and the sentences
/// code puts into a mail into it. Someone asking for a reset in German reads German.
public struct MailTemplates: Sendable {
    let templates: TemplateLibrary?
    /// The language subjects and `Message` values are written in.
    public let translator: Translator
    let folder: String
    let shared: [String: MustacheValue]

    /// Mail from `templates` under `folder` (`site/mail`), in `translator`'s language, every
    /// message given `shared` values.
    public init(_ templates: TemplateLibrary?, translator: Translator, folder: String, shared: [String: MustacheValue] = [:]) {
        self.templates = templates
        self.translator = translator
        self.folder = folder
        self.shared = shared
    }

    /// The message `name` to `user`, titled `subject`. Without templates (or without the text
    /// one) the subject is the text, so a missing template never loses the mail.
    public func message(_ name: String, to user: some AccountHolder, subject: Message, values: [String: MustacheValue] = [:]) -> MailMessage {
        message(name, to: user.mailbox ?? MailAddress(""), username: user.username, subject: subject, values: values)
    }

    /// The message `name` to `address` (another than the account's, such as the one it is moving
    /// to, or nobody's account), greeting `username` when there is one.
    public func message(_ name: String, to address: MailAddress, username: String?, subject: Message,
                        values: [String: MustacheValue] = [:]) -> MailMessage {
        let subject = translator.text(subject)
        let context = MustacheValue(shared.merging(values) { $1 }.merging(["username": username.map(MustacheValue.string) ?? .null]) { $1 })
        let text = templates?.render(context, template: "\(folder)/\(name).txt") ?? subject
        return MailMessage(to: address, subject: subject, text: text, html: templates?.render(context, template: "\(folder)/\(name).html"))
    }

    /// `message` in the mail's language, as a template value.
    public func value(_ message: Message) -> MustacheValue { .string(translator.text(message)) }
}
