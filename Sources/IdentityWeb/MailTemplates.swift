import Identity
import Mustache

/// Mail written from an app's templates, for both apps: `<folder>/<name>.txt` is the text part
/// and `<folder>/<name>.html`, when there is one, the HTML part. Every message is addressed to an
/// account holder, whose `username` the templates can use beside the app's shared values (its
/// origin for links, say) and the message's own.
public struct MailTemplates: Sendable {
    let templates: TemplateLibrary?
    let folder: String
    let shared: [String: MustacheValue]

    /// Mail from `templates` under `folder` (`site/mail`), every message given `shared` values.
    public init(_ templates: TemplateLibrary?, folder: String, shared: [String: MustacheValue] = [:]) {
        self.templates = templates
        self.folder = folder
        self.shared = shared
    }

    /// The message `name` to `user`, titled `subject`. Without templates (or without the text
    /// one) the subject is the text, so a missing template never loses the mail.
    public func message(_ name: String, to user: some AccountHolder, subject: String, values: [String: MustacheValue] = [:]) -> MailMessage {
        let context = MustacheValue(shared.merging(values) { $1 }.merging(["username": .string(user.username)]) { $1 })
        let text = templates?.render(context, template: "\(folder)/\(name).txt") ?? subject
        return MailMessage(to: user.mailbox ?? MailAddress(""), subject: subject, text: text,
                           html: templates?.render(context, template: "\(folder)/\(name).html"))
    }
}
