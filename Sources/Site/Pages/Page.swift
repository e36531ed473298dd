import Accounts
import IdentityWeb
import Mustache
import Web

extension Page {
    /// A site page, with the signed-in site user for the layout.
    init(_ context: RequestContext, title: String, _ values: [String: MustacheValue] = [:]) {
        self.init(context, title: title, currentUser: context.currentUser.map { MustacheValue($0) } ?? .null, values)
    }
}

extension ConfirmationPages {
    /// The site's "are you sure?" pages, in the site's layout.
    static let site = ConfirmationPages(template: "site/confirm") { context in context.currentUser.map { MustacheValue($0) } ?? .null }
}
