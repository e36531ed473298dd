import Identity
import IdentityWeb
import Localization
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
        try await accountView(context, errors: FieldErrors())
    }

    private func accountView(_ context: RequestContext, typedEmail: String = "", errors: FieldErrors, status: HTTPStatus = .ok) async throws -> View {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let pending = try await services.users.pendingEmailChange(for: user)
        return Page(context, title: context.translator.text("Your account"), [
            "user": MustacheValue(user),
            "verifyEmail": .bool(!user.emailVerified && services.users.canSendMail && pending == nil),
            "pendingEmail": pending.map(MustacheValue.string) ?? .null,
            "mailOff": .bool(!services.users.canSendMail),
            "typedEmail": .string(String(typedEmail.prefix(300))),
            "errors": errors.mustacheValue(context.translator),
        ]).view("provider/account", status: status)
    }

    @Sendable func verifyEmail(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let code = try request.form()["code"] ?? ""
        switch try await services.users.enterEmailCode(of: user, code: code, notice: services.mail(context).emailChanged) {
        case .verified:
            context.logger.info("email_verified", ["user_id": user.id])
            context.session.flash(context.translator.text("Your email address is verified."), kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        case .changed(let email):
            context.logger.info("email_changed", ["user_id": user.id])
            context.session.flash(context.translator.text("Your email address is now {{email}}.", ["email": email]), kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        case .addressTaken:
            return try await accountView(context, errors: FieldErrors("code", Message("Another account has just started using that address, so yours was not changed.")),
                                         status: .unprocessableContent).response(for: request, context: context)
        case .wrong(let remaining):
            return try await accountView(context, errors: FieldErrors("code", Message(one: "That is not the code. {{count}} try left.", other: "That is not the code. {{count}} tries left.",
                                                                                          count: remaining)),
                                   status: .unprocessableContent).response(for: request, context: context)
        case .noLiveCode:
            return try await accountView(context, errors: FieldErrors("code", Message("That code has expired or was tried too often. Send a new one.")),
                                   status: .unprocessableContent).response(for: request, context: context)
        }
    }

    @Sendable func resendCode(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        guard services.users.canSendMail, !user.emailVerified else {
            context.session.flash(user.emailVerified ? context.translator.text("Your address is already verified.")
                                                        : context.translator.text("This provider cannot send email right now."), kind: "info")
            return Redirect(to: "/account")
        }
        do {
            try await services.users.sendVerificationCode(to: user, message: services.mail(context).verificationCode)
            context.session.flash(context.translator.text("A new code is on its way to {{email}}.", ["email": user.email]), kind: "success")
        } catch let limited as TooManyCodes {
            context.session.flash(Self.tooManyCodes(limited, context), kind: "error")
        }
        return Redirect(to: "/account#verify-email")
    }

    @Sendable func changeEmail(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let form = try request.form()
        let email = form["email"] ?? ""
        let mail = services.mail(context)
        do {
            let address = try await services.users.changeEmail(of: user, to: email, password: form["current_password"] ?? "",
                                                               ip: request.clientIP(trustedProxies: trustedProxies),
                                                               message: mail.verificationCode(_:to:code:), inUse: mail.addressInUse)
            context.session.flash(context.translator.text(
                "We sent a code to {{email}}. Enter it below to finish the change; until then your address stays as it is.", ["email": address]),
                                  kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        } catch let limited as TooManyCodes {
            context.session.flash(Self.tooManyCodes(limited, context), kind: "error")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        } catch let errors as FieldErrors {
            return try await accountView(context, typedEmail: email, errors: errors, status: .unprocessableContent).response(for: request, context: context)
        }
    }

    /// The refusal of one more code, with the wait in whole minutes.
    private static func tooManyCodes(_ limited: TooManyCodes, _ context: RequestContext) -> String {
        context.translator.plural(one: "You asked for several codes already. Try again in {{count}} minute.",
                                  other: "You asked for several codes already. Try again in {{count}} minutes.", count: (limited.retryAfter + 59) / 60)
    }
}
