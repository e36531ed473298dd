import IdentityWeb
import Mustache
import Web

extension Page {
    /// A provider page, with the signed-in provider user for the layout.
    init(_ context: RequestContext, title: String, _ values: [String: MustacheValue] = [:]) {
        self.init(context, title: title, currentUser: context.currentUser.map { MustacheValue($0) } ?? .null, values)
    }
}

extension ConfirmationPages {
    /// The provider's "are you sure?" pages, in the provider's layout.
    static let provider = ConfirmationPages(template: "provider/confirm") { context in context.currentUser.map { MustacheValue($0) } ?? .null }
}
