import Identity
import IdentityWeb
import Mustache
import Web

/// "Forgot your password?" on the provider: a form that mails a single-use link (the same page
/// whatever was entered, so it tells nobody which accounts exist), the page that link opens,
/// and the page after the new password is set. The flow is the identity core's, as on the site.
struct PasswordResetController {
    let services: ProviderServices

    func register(on router: Router) {
        router.get("/password/forgot", use: forgotForm)
        router.post("/password/forgot", use: forgot)
        router.get("/password/reset", use: resetForm)
        router.post("/password/reset", use: reset)
        router.get("/password/reset/done", use: done)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    @Sendable func forgotForm(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: "Forgot your password?", ["mailOff": .bool(!services.users.canSendMail)]).view("provider/password/forgot")
    }

    @Sendable func forgot(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        // Too many requests from this address become a 429 (ErrorMapping.identity).
        try await services.users.requestPasswordReset(identifier: form["identifier"] ?? "", ip: request.clientIP(trustedProxies: trustedProxies),
                                                      message: services.mail(context).passwordReset)
        return try Page(context, title: "Check your email", ["sent": true, "mailOff": .bool(!services.users.canSendMail)])
            .view("provider/password/forgot").response(for: request, context: context)
    }

    @Sendable func resetForm(_ request: Request, context: RequestContext) async throws -> Response {
        let token = try request.query()["token"] ?? ""
        let holder = try await services.users.resetLinkHolder(token)
        return try page(context, token: token, holder: holder, errors: FieldErrors(), status: holder == nil ? .gone : .ok)
            .response(for: request, context: context)
    }

    @Sendable func reset(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let token = form["token"] ?? ""
        do {
            let user = try await services.users.resetPassword(token: token, new: form["new_password"] ?? "",
                                                              confirmation: form["new_password_confirmation"] ?? "",
                                                              notice: services.mail(context).passwordChanged)
            guard let user else {
                return try page(context, token: token, holder: nil, errors: FieldErrors(), status: .gone).response(for: request, context: context)
            }
            context.logger.info("password_reset", ["user_id": user.id])
        } catch let errors as FieldErrors {
            let holder = try await services.users.resetLinkHolder(token)
            return try page(context, token: token, holder: holder, errors: errors, status: .unprocessableContent)
                .response(for: request, context: context)
        }
        // Any session this browser had ended with the rest; sign in afresh with the new password.
        context.session.destroy()
        return Response(status: .seeOther, headers: ["Location": "/password/reset/done"])
    }

    @Sendable func done(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: "Password changed", ["done": true]).view("provider/password/reset")
    }

    private func page(_ context: RequestContext, token: String, holder: ProviderUser?, errors: FieldErrors, status: HTTPStatus) -> View {
        Page(context, title: "Choose a new password", [
            "dead": .bool(holder == nil), "token": .string(holder == nil ? "" : token), "username": .string(holder?.username ?? ""),
            "errors": errors.mustacheValue,
        ]).view("provider/password/reset", status: status)
    }
}
