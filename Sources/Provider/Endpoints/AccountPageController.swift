import Identity
import IdentityWeb
import Mustache
import Web

/// The provider's account page: who you are, whether your address is verified (with the code
/// form and "send a new code" until it is), and changing the address.
struct AccountPageController {
    let services: ProviderServices

    func register(on router: Router) {
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.get("/", use: accountPage)
        account.post("/email", use: changeEmail)
        account.post("/email/verify", use: verifyEmail)
        account.post("/email/verify/resend", use: resendCode)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    @Sendable func accountPage(_ request: Request, context: RequestContext) async throws -> View {
        try accountView(context, errors: FieldErrors())
    }

    private func accountView(_ context: RequestContext, typedEmail: String = "", errors: FieldErrors, status: HTTPStatus = .ok) throws -> View {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        return Page(context, title: "Your account", [
            "user": MustacheValue(user),
            "verifyEmail": .bool(!user.emailVerified && services.users.canSendMail),
            "mailOff": .bool(!services.users.canSendMail),
            "typedEmail": .string(String(typedEmail.prefix(300))),
            "errors": errors.mustacheValue,
        ]).view("provider/account", status: status)
    }

    @Sendable func verifyEmail(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let code = try request.form()["code"] ?? ""
        switch try await services.users.verifyEmail(of: user, code: code) {
        case .verified:
            context.logger.info("email_verified", ["user_id": user.id])
            context.session.flash("Your email address is verified.", kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        case .wrong(let remaining):
            return try accountView(context, errors: FieldErrors("code", "That is not the code. \(remaining) tr\(remaining == 1 ? "y" : "ies") left."),
                                   status: .unprocessableContent).response(for: request, context: context)
        case .noLiveCode:
            return try accountView(context, errors: FieldErrors("code", "That code has expired or was tried too often. Send a new one."),
                                   status: .unprocessableContent).response(for: request, context: context)
        }
    }

    @Sendable func resendCode(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        guard services.users.canSendMail, !user.emailVerified else {
            context.session.flash(user.emailVerified ? "Your address is already verified." : "This provider cannot send email right now.", kind: "info")
            return Redirect(to: "/account")
        }
        do {
            try await services.users.sendVerificationCode(to: user, message: services.mail(context).verificationCode)
            context.session.flash("A new code is on its way to \(user.email).", kind: "success")
        } catch let limited as TooManyCodes {
            context.session.flash("You asked for several codes already. Try again in \((limited.retryAfter + 59) / 60) minutes.", kind: "error")
        }
        return Redirect(to: "/account#verify-email")
    }

    @Sendable func changeEmail(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let form = try request.form()
        let email = form["email"] ?? ""
        let mail = services.mail(context)
        do {
            let changed = try await services.users.changeEmail(of: user, to: email, password: form["current_password"] ?? "",
                                                               ip: request.clientIP(trustedProxies: trustedProxies),
                                                               message: mail.verificationCode, notice: mail.emailChanged)
            context.logger.info("email_changed", ["user_id": user.id])
            context.session.flash(services.users.canSendMail ? "Your address is now \(changed.email). Enter the code we sent it to verify it."
                                  : "Your address is now \(changed.email).", kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        } catch let errors as FieldErrors {
            return try accountView(context, typedEmail: email, errors: errors, status: .unprocessableContent).response(for: request, context: context)
        }
    }
}
