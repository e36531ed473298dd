import Identity
import Mustache
import Web

/// "Forgot your password?" as pages, written once for both apps: the form that mails a
/// single-use link (the same page whatever was entered, so it tells nobody which accounts
/// exist; a client asking too often gets 429 through `ErrorMapping.identity`), the page the
/// link opens (410 when it is dead), and the new password, after which this browser's session
/// is gone too and the person signs in afresh. Each app supplies its flow (the identity core's
/// `PasswordResetService` with the app's own revocations), its mail and its page chrome; the
/// templates are `<folder>/password/forgot` and `<folder>/password/reset`.
public struct PasswordResetPages<User: AccountHolder>: Sendable {
    /// Renders `template` titled `title` with `values`, in the app's layout.
    public typealias Render = @Sendable (RequestContext, _ template: String, _ title: String, [String: MustacheValue], HTTPStatus) -> View
    /// Mails a link to the account `identifier` names, if any (`Request` and context are there
    /// for the app to build its mail: origin, templates).
    public typealias Ask = @Sendable (_ identifier: String, _ ip: String, Request, RequestContext) async throws -> Void
    /// Sets the new password through `token`; nil when the link is dead; throws `FieldErrors`.
    public typealias Reset = @Sendable (_ token: String, _ new: String, _ confirmation: String, _ ip: String, Request, RequestContext)
        async throws -> User?

    let folder: String
    let trustedProxies: Int
    let mailOff: Bool
    let ask: Ask
    let holder: @Sendable (_ token: String) async throws -> User?
    let reset: Reset
    let afterReset: String
    let render: Render

    /// Pages under `folder`'s templates; `afterReset` is where a successful reset lands.
    public init(folder: String, trustedProxies: Int, mailOff: Bool, ask: @escaping Ask,
                holder: @escaping @Sendable (_ token: String) async throws -> User?, reset: @escaping Reset,
                afterReset: String, render: @escaping Render) {
        self.folder = folder
        self.trustedProxies = trustedProxies
        self.mailOff = mailOff
        self.ask = ask
        self.holder = holder
        self.reset = reset
        self.afterReset = afterReset
        self.render = render
    }

    /// `GET/POST /password/forgot`, `GET/POST /password/reset`.
    public func register(on router: Router) {
        router.get("/password/forgot", use: forgotForm)
        router.post("/password/forgot", use: forgot)
        router.get("/password/reset", use: resetForm)
        router.post("/password/reset", use: submit)
    }

    @Sendable func forgotForm(_ request: Request, context: RequestContext) async throws -> View {
        render(context, "\(folder)/password/forgot", context.translator.text("Forgot your password?"), ["mailOff": .bool(mailOff)], .ok)
    }

    @Sendable func forgot(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        try await ask(form["identifier"] ?? "", request.clientIP(trustedProxies: trustedProxies), request, context)
        return try render(context, "\(folder)/password/forgot", context.translator.text("Check your email"), ["sent": true, "mailOff": .bool(mailOff)], .ok)
            .response(for: request, context: context)
    }

    @Sendable func resetForm(_ request: Request, context: RequestContext) async throws -> Response {
        let token = try request.query()["token"] ?? ""
        let holder = try await holder(token)
        return try page(context, token: token, holder: holder, errors: FieldErrors(), status: holder == nil ? .gone : .ok)
            .response(for: request, context: context)
    }

    @Sendable func submit(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let token = form["token"] ?? ""
        do {
            let user = try await reset(token, form["new_password"] ?? "", form["new_password_confirmation"] ?? "",
                                       request.clientIP(trustedProxies: trustedProxies), request, context)
            guard let user else {
                return try page(context, token: token, holder: nil, errors: FieldErrors(), status: .gone).response(for: request, context: context)
            }
            context.logger.info("password_reset", ["user_id": user.id])
        } catch let errors as FieldErrors {
            let holder = try await holder(token)
            return try page(context, token: token, holder: holder, errors: errors, status: .unprocessableContent)
                .response(for: request, context: context)
        }
        // Any session this browser had ended with the rest; sign in afresh with the new password.
        context.session.destroy()
        return Response(status: .seeOther, headers: ["Location": afterReset])
    }

    private func page(_ context: RequestContext, token: String, holder: User?, errors: FieldErrors, status: HTTPStatus) -> View {
        render(context, "\(folder)/password/reset", context.translator.text("Choose a new password"), [
            "dead": .bool(holder == nil), "token": .string(holder == nil ? "" : token), "username": .string(holder?.username ?? ""),
            "errors": errors.mustacheValue(context.translator),
        ], status)
    }
}
