import Mustache
import Web

/// The second step of a destructive action, without JavaScript: a POST that does not carry
/// `confirm=1` does nothing and answers with a page that names the consequences and posts the
/// same form again, to the same path, with `confirm=1` and a fresh CSRF token. So every
/// existing button keeps working, the action never happens on one click, and a forged or
/// replayed first POST (CSRF-checked as ever) only ever shows the question.
///
/// Both apps render it with their own layout (`site/confirm`, `provider/confirm`), which share
/// the `shared/confirm` partial.
public struct Confirmation: Sendable {
    /// The question, as the page's title and heading: "Disconnect GitHub?".
    public var question: String
    /// What happens, one sentence each.
    public var consequences: [String]
    /// The confirming button's words: "Disconnect GitHub".
    public var button: String
    /// Where "Cancel" goes: the page the action was started from.
    public var cancel: String

    /// The form field that says the person confirmed.
    public static let field = "confirm"

    /// A question with its consequences, its confirming button and where cancelling goes.
    public init(_ question: String, consequences: [String], button: String, cancel: String) {
        self.question = question
        self.consequences = consequences
        self.button = button
        self.cancel = cancel
    }

    /// Whether the posted form carries the confirmation.
    public static func isConfirmed(_ form: FormData) -> Bool { form[field] == "1" }

    /// The fields to post again: everything the first form sent but its CSRF token and a
    /// confirmation, so the second POST acts on exactly what the first one named. A password or
    /// code is never written into a page: a form that asks for one is its own confirmation.
    static func carried(_ form: FormData) -> [(name: String, value: String)] {
        form.pairs.filter { pair in
            pair.name != CSRFMiddleware.fieldName && pair.name != field
                && !pair.name.lowercased().contains("password") && !pair.name.lowercased().contains("code")
        }.prefix(20).map { (name: $0.name, value: String($0.value.prefix(2_000))) }
    }

    /// The page asking the question, as a view of `template` (the app's `confirm` page). Its
    /// status is 200: nothing failed, the action is waiting for an answer.
    public func view(_ template: String, request: Request, form: FormData, context: RequestContext,
                     currentUser: MustacheValue) -> View {
        Page(context, title: question, currentUser: currentUser, [
            "confirmation": [
                "question": .string(question),
                "consequences": .list(consequences.map(MustacheValue.string)),
                "button": .string(button),
                "action": .string(request.path),
                "fields": .list(Self.carried(form).map { ["name": .string($0.name), "value": .string($0.value)] }),
                "cancel": .string(LocalRedirect.path(cancel) ?? "/"),
            ],
        ]).view(template)
    }
}

/// How an app asks: its confirmation template and the signed-in user its layout shows.
public struct ConfirmationPages: Sendable {
    /// The app's confirmation page (`site/confirm`, `provider/confirm`).
    public let template: String
    private let currentUser: @Sendable (RequestContext) -> MustacheValue

    /// Pages rendered with `template`, showing `currentUser` in the layout.
    public init(template: String, currentUser: @escaping @Sendable (RequestContext) -> MustacheValue) {
        self.template = template
        self.currentUser = currentUser
    }

    /// A route handler that runs `action` only when the form carries the confirmation, and
    /// otherwise answers with the question `ask` builds (which may refuse first, with a 404 for
    /// a target that does not exist, as the action would).
    public func confirming<Output: ResponseGenerator>(
        _ ask: @escaping @Sendable (Request, RequestContext) async throws -> Confirmation,
        then action: @escaping @Sendable (Request, RequestContext) async throws -> Output
    ) -> @Sendable (Request, RequestContext) async throws -> Response {
        { [template, currentUser] request, context in
            let form = try request.form()
            guard Confirmation.isConfirmed(form) else {
                let confirmation = try await ask(request, context)
                var response = try confirmation.view(template, request: request, form: form, context: context,
                                                     currentUser: currentUser(context)).response(for: request, context: context)
                response.headers.set("Cache-Control", "no-store")
                return response
            }
            return try await action(request, context).response(for: request, context: context)
        }
    }
}
