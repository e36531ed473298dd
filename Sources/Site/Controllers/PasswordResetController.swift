import Accounts
import Identity
import IdentityWeb
import Mustache
import Web

/// "Forgot your password?": a form that mails a single-use link (the same page whatever was
/// entered, so it tells nobody which accounts exist), and the page that link opens.
struct PasswordResetController {
    let services: SiteServices

    func register(on router: Router) {
        router.get("/password/forgot", use: forgotForm)
        router.post("/password/forgot", use: forgot)
        router.get("/password/reset", use: resetForm)
        router.post("/password/reset", use: reset)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    @Sendable func forgotForm(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: "Forgot your password?", ["mailOff": .bool(!services.accounts.canSendMail)]).view("site/password/forgot")
    }

    @Sendable func forgot(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let origin = services.configuration.origin(for: request)
        let templates = context.templates
        // Too many requests from this address become a 429 (ErrorMapping.identity).
        try await services.accounts.requestPasswordReset(identifier: form["identifier"] ?? "",
                                                         ip: request.clientIP(trustedProxies: trustedProxies)) { user, token in
            Self.mail(templates, "password_reset", to: user, subject: "Reset your Latchkey password",
                      values: ["link": .string(origin + "/password/reset?token=" + token)])
        }
        return try Page(context, title: "Check your email", ["sent": true, "mailOff": .bool(!services.accounts.canSendMail)])
            .view("site/password/forgot").response(for: request, context: context)
    }

    @Sendable func resetForm(_ request: Request, context: RequestContext) async throws -> Response {
        let token = try request.query()["token"] ?? ""
        let holder = try await services.accounts.resetLinkHolder(token)
        return try page(context, token: token, holder: holder, errors: FieldErrors(), status: holder == nil ? .gone : .ok)
            .response(for: request, context: context)
    }

    @Sendable func reset(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let token = form["token"] ?? ""
        let origin = services.configuration.origin(for: request)
        let templates = context.templates
        do {
            let user = try await services.accounts.resetPassword(
                token: token, new: form["new_password"] ?? "", confirmation: form["new_password_confirmation"] ?? "",
                ip: request.clientIP(trustedProxies: trustedProxies)) { user in
                Self.mail(templates, "password_changed", to: user, subject: "Your Latchkey password was changed", values: ["origin": .string(origin)])
            }
            guard user != nil else { return try page(context, token: token, holder: nil, errors: FieldErrors(), status: .gone).response(for: request, context: context) }
        } catch let errors as FieldErrors {
            let holder = try await services.accounts.resetLinkHolder(token)
            return try page(context, token: token, holder: holder, errors: errors, status: .unprocessableContent).response(for: request, context: context)
        }
        // Any session this browser had ended with the rest; sign in afresh with the new password.
        context.session.destroy()
        return Response(status: .seeOther, headers: ["Location": "/login?reset=1"])
    }

    private func page(_ context: RequestContext, token: String, holder: User?, errors: FieldErrors, status: HTTPStatus) -> View {
        Page(context, title: "Choose a new password", [
            "dead": .bool(holder == nil), "token": .string(holder == nil ? "" : token), "username": .string(holder?.username ?? ""),
            "errors": errors.mustacheValue,
        ]).view("site/password/reset", status: status)
    }

    /// A message from the `site/mail/<name>.txt` and `.html` templates, addressed to `user`.
    static func mail(_ templates: TemplateLibrary?, _ name: String, to user: User, subject: String,
                     values: [String: MustacheValue]) -> MailMessage {
        MailTemplates(templates, folder: "site/mail").message(name, to: user, subject: subject, values: values)
    }
}
