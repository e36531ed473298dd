import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// "Confirm it is you": the page `RequireRecentAuthenticationMiddleware` sends a person to when
/// their sign-in is older than `REAUTHENTICATION_TIMEOUT`, and back to `next` afterwards. The
/// password when the account has one; otherwise a sign-in code mailed to the account's address,
/// or (last resort, when there is neither) signing in again with a linked provider.
///
/// A passkey or the authenticator app, when the account has one, is offered beside these
/// (`ReauthenticationController+SecondFactors.swift` in Site/MFA): their routes live under
/// `/account/reauthenticate/` (never guarded itself) and end in `finish(_:method:next:)` too.
struct ReauthenticationController {
    let services: SiteServices

    /// Session key: the id of the account a re-authentication code was mailed for.
    enum Key {
        static let codeSent = "reauth_code_user"
    }

    func register(on router: Router) {
        let group = router.group(ReauthenticationPolicy.reauthenticationPrefix, middleware: [RequireUserMiddleware()])
        group.get("/", use: form)
        group.post("/", use: password)
        group.post("/code", use: sendCode)
        group.post("/code/enter", use: enterCode)
        registerSecondFactors(on: group)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    @Sendable func form(_ request: Request, context: RequestContext) async throws -> Response {
        try await page(context, next: LocalRedirect.path(try request.query()["next"]), error: nil, status: .ok)
            .response(for: request, context: context)
    }

    func page(_ context: RequestContext, next: String?, error: String?, codeError: String? = nil, appError: String? = nil,
              status: HTTPStatus) async throws -> View {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let canMail = services.accounts.canSendMail && user.email != nil
        // A provider sign-in proves only that the browser is signed in there too, so it is
        // offered only to accounts with no password and no way to get a code.
        var providers: [MustacheValue] = []
        if !user.hasPassword && !canMail {
            let registry = services.social.registry
            providers = try await services.social.connections(userID: user.id).compactMap { account in
                registry.entry(account.provider).flatMap { $0.isEnabled ? BrandMarks.button($0) : nil }
            }
        }
        let factors = try await services.database.read { db in try AccountSecurity.overview(userID: user.id, in: db) }
        return Page(context, title: context.translator.text("Confirm it is you"), [
            "next": next.map(MustacheValue.string) ?? .null,
            "hasPassword": .bool(user.hasPassword),
            "canMailCode": .bool(!user.hasPassword && canMail),
            "codeSent": .bool(context.session[Key.codeSent] == String(user.id)),
            "email": user.email.map(MustacheValue.string) ?? .null,
            "providers": .list(providers), "hasProviders": .bool(!providers.isEmpty),
            "passkeys": .bool(!factors.passkeys.isEmpty),
            "app": .bool(factors.hasAuthenticatorApp),
            "appError": appError.map(MustacheValue.string) ?? .null,
            "error": error.map(MustacheValue.string) ?? .null,
            "codeError": codeError.map(MustacheValue.string) ?? .null,
        ]).view("site/reauthenticate", status: status)
    }

    /// Records the re-authentication and goes back to where the person was heading.
    func finish(_ context: RequestContext, method: AuthenticationMethod, next: String?) -> Response {
        context.session[Key.codeSent] = nil
        context.session.reauthenticated(with: method, at: services.clock.now())
        context.session.flash(context.translator.text("Thank you. You can go on."), kind: "success")
        return Response(status: .seeOther, headers: ["Location": next ?? "/account"])
    }

    @Sendable func password(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let form = try request.form()
        let next = LocalRedirect.path(form["next"])
        let outcome = try await services.accounts.reauthenticate(user, password: form["password"] ?? "",
                                                                 ip: request.clientIP(trustedProxies: trustedProxies))
        if let refusal = outcome.formRefusal(in: context.translator) {
            let message = if case .invalidCredentials = outcome { context.translator.text("That is not your password.") } else { refusal.message }
            return try await page(context, next: next, error: message, status: refusal.status)
                .response(for: request, context: context).setting(refusal.headers)
        }
        return finish(context, method: .password, next: next)
    }

    @Sendable func sendCode(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let next = LocalRedirect.path(try request.form()["next"])
        let mail = SiteMail(request, context, services: services)
        do {
            if try await services.accounts.requestSignInCode(identifier: user.username, ip: request.clientIP(trustedProxies: trustedProxies), message: { user, code in
                mail.message("sign_in_code", to: user, subject: Message("Your Latchkey code: {{code}}", ["code": code]), ["code": .string(code)])
            }) == user.id {
                context.session[Key.codeSent] = String(user.id)
                context.session.flash(context.translator.text("We sent a code to {{email}}.", ["email": user.email ?? context.translator.text("your address")]),
                                      kind: "success")
            }
        } catch let limited as AccountService.TooManyCodeRequests {
            context.session.flash(EmailController.tooMany(TooManyCodes(retryAfter: limited.retryAfter), context.translator), kind: "error")
        }
        return Response(status: .seeOther, headers: ["Location": ReauthenticationPolicy.page(next: next)])
    }

    @Sendable func enterCode(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let form = try request.form()
        let next = LocalRedirect.path(form["next"])
        guard context.session[Key.codeSent] == String(user.id) else {
            return Response(status: .seeOther, headers: ["Location": ReauthenticationPolicy.page(next: next)])
        }
        let problem: String
        switch try await services.accounts.signIn(userID: user.id, code: form["code"] ?? "", ip: request.clientIP(trustedProxies: trustedProxies),
                                                  action: AccountService.reauthenticatedAction,
                                                  keepingSession: context.session.loadedIDHash) {
        case .signedIn:
            return finish(context, method: .emailCode, next: next)
        case .wrong(let remaining):
            problem = context.translator.plural(one: "That is not the code. {{count}} try left.", other: "That is not the code. {{count}} tries left.",
                                                count: remaining)
        case .noLiveCode:
            problem = context.translator.text("That code has expired or was tried too often. Ask for a new one.")
        }
        return try await page(context, next: next, error: nil, codeError: problem, status: .unprocessableContent)
            .response(for: request, context: context)
    }
}
