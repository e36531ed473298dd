import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// The account's address on the account page: the code that proves it (sent at sign-up, or to
/// a new address the person is moving to), a new code, and the move itself.
struct EmailController {
    let services: SiteServices

    func register(on router: Router) {
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.post("/email/verify", use: enterCode)
        account.post("/email/verify/resend", use: resendCode)
        account.post("/email", use: changeEmail)
        account.post("/email/cancel", use: cancelChange)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }
    private var accountPage: AccountController { AccountController(services: services) }

    @Sendable func enterCode(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let code = try request.form()["code"] ?? ""
        let mail = SiteMail(request, context, services: services)
        let outcome = try await services.accounts.enterEmailCode(userID: user.id, code: code, ip: request.clientIP(trustedProxies: trustedProxies)) { user, old in
            mail.notice(user, subject: Message("Your Latchkey address was changed"),
                        what: Message("The email address of your Latchkey account was just changed from this address to another one. Mail about the account now goes there."),
                        to: old)
        }
        let problem: Message
        switch outcome {
        case .verified:
            context.session.flash(context.translator.text("Your email address is verified."), kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        case .changed(let email):
            context.session.flash(context.translator.text("Your email address is now {{email}}.", ["email": email]), kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        case .wrong(let remaining):
            problem = Message(one: "That is not the code. {{count}} try left.", other: "That is not the code. {{count}} tries left.", count: remaining)
        case .noLiveCode:
            problem = Message("That code has expired or was tried too often. Send a new one.")
        case .addressTaken:
            problem = Message("Another account has just started using that address, so yours was not changed.")
        }
        return try await accountPage.accountView(context, errors: FieldErrors("code", problem), status: .unprocessableContent)
            .response(for: request, context: context)
    }

    @Sendable func resendCode(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let mail = SiteMail(request, context, services: services)
        do {
            try await services.accounts.sendVerificationCode(to: user) { user, code in mail.code(user, to: user.email ?? "", code) }
            context.session.flash(context.translator.text("A new code is on its way to {{email}}.", ["email": user.email ?? context.translator.text("your address")]),
                                  kind: "success")
        } catch let limited as TooManyCodes {
            context.session.flash(Self.tooMany(limited, context.translator), kind: "error")
        }
        return Redirect(to: "/account#verify-email")
    }

    @Sendable func changeEmail(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        guard services.accounts.canSendMail else {
            context.session.flash(context.translator.text("Email is turned off on this site, so the address cannot be changed."), kind: "error")
            return Response(status: .seeOther, headers: ["Location": "/account"])
        }
        let form = try request.form()
        let mail = SiteMail(request, context, services: services)
        let typed = form["new_email"] ?? ""
        do {
            let email = try await services.accounts.requestEmailChange(
                userID: user.id, newEmail: typed, password: form["email_password"] ?? "",
                ip: request.clientIP(trustedProxies: trustedProxies),
                code: { user, address, code in mail.code(user, to: address, code) },
                inUse: { address in mail.addressInUse(address) })
            context.session.flash(context.translator.text("We sent a code to {{email}}. Enter it below to finish the change; until then your address stays as it is.",
                                                          ["email": email]),
                                  kind: "success")
            return Response(status: .seeOther, headers: ["Location": "/account#change-email"])
        } catch let errors as FieldErrors {
            return try await accountPage.accountView(context, errors: errors, status: .unprocessableContent,
                                                     typed: ["new_email": .string(String(typed.prefix(300)))])
                .response(for: request, context: context)
        } catch let limited as TooManyCodes {
            context.session.flash(Self.tooMany(limited, context.translator), kind: "error")
            return Response(status: .seeOther, headers: ["Location": "/account#change-email"])
        }
    }

    @Sendable func cancelChange(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        try await services.accounts.cancelEmailChange(userID: user.id)
        context.session.flash(context.translator.text("The change of address was cancelled."), kind: "success")
        return Redirect(to: "/account")
    }

    static func tooMany(_ limited: TooManyCodes, _ translator: Translator) -> String {
        translator.plural(one: "You asked for several codes already. Try again in {{count}} minute.",
                          other: "You asked for several codes already. Try again in {{count}} minutes.", count: (limited.retryAfter + 59) / 60)
    }
}
