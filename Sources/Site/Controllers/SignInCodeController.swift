import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// "Email me a sign-in code": a form that takes a username or an address, then a page for the
/// code. Whatever was typed, the same pages follow (a name without an account gets a phantom
/// whose code is never right), so the form tells nobody which accounts exist.
struct SignInCodeController {
    let services: SiteServices

    /// Session keys: the account the code is for ("0": none), what was typed, the phantom's
    /// tries, and where to go afterwards.
    enum Key {
        static let user = "login_code_user", typed = "login_code_typed", tries = "login_code_tries", next = "login_code_next"
    }

    func register(on router: Router) {
        router.get("/login/code", use: form)
        router.post("/login/code", use: request)
        router.get("/login/code/enter", use: enterForm)
        router.post("/login/code/enter", use: enter)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    @Sendable func form(_ request: Request, context: RequestContext) async throws -> Response {
        if context.currentUser != nil { return Response(status: .seeOther, headers: ["Location": "/account"]) }
        let query = try request.query()
        return try Page(context, title: context.translator.text("Sign in with a code"), [
            "mailOff": .bool(!services.accounts.canSendMail),
            "identifier": .string(String((query["email"] ?? "").prefix(IdentityRules.maxEmailLength))),
            "next": LocalRedirect.path(query["next"]).map(MustacheValue.string) ?? .null,
        ]).view("site/login-code").response(for: request, context: context)
    }

    @Sendable func request(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let typed = IdentityRules.trimmed(form["identifier"] ?? "")
        guard !typed.isEmpty, services.accounts.canSendMail else { return Response(status: .seeOther, headers: ["Location": "/login/code"]) }
        let mail = SiteMail(request, context, services: services)
        do {
            let userID = try await services.accounts.requestSignInCode(identifier: typed, ip: request.clientIP(trustedProxies: trustedProxies)) { user, code in
                mail.message("sign_in_code", to: user, subject: Message("Your Latchkey sign-in code: {{code}}", ["code": code]), ["code": .string(code)])
            }
            context.session[Key.user] = String(userID ?? 0)
            context.session[Key.typed] = String(typed.prefix(IdentityRules.maxEmailLength))
            context.session[Key.tries] = "0"
            context.session[Key.next] = LocalRedirect.path(form["next"])
        } catch let limited as AccountService.TooManyCodeRequests {
            throw HTTPError(.tooManyRequests, context.translator.text("Too many codes asked for from your address. Try again later."),
                            headers: ["Retry-After": String(limited.retryAfter)])
        }
        return Response(status: .seeOther, headers: ["Location": "/login/code/enter"])
    }

    @Sendable func enterForm(_ request: Request, context: RequestContext) async throws -> Response {
        guard context.session[Key.user] != nil else { return Response(status: .seeOther, headers: ["Location": "/login/code"]) }
        return try page(context, error: nil, status: .ok).response(for: request, context: context)
    }

    private func page(_ context: RequestContext, error: String?, status: HTTPStatus) -> View {
        Page(context, title: context.translator.text("Enter your sign-in code"), [
            "typed": .string(context.session[Key.typed] ?? ""),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("site/login-code-enter", status: status)
    }

    @Sendable func enter(_ request: Request, context: RequestContext) async throws -> Response {
        guard let userID = context.session[Key.user].flatMap({ Int64($0) }) else {
            return Response(status: .seeOther, headers: ["Location": "/login/code"])
        }
        let code = try request.form()["code"] ?? ""
        let outcome: AccountService.SignInCodeOutcome
        if userID == 0 {
            let tries = (context.session[Key.tries].flatMap { Int($0) } ?? 0) + 1
            context.session[Key.tries] = String(tries)
            outcome = tries >= OneTimeCodes.maxAttempts ? .noLiveCode : .wrong(remaining: OneTimeCodes.maxAttempts - tries)
        } else {
            outcome = try await services.accounts.signIn(userID: userID, code: code, ip: request.clientIP(trustedProxies: trustedProxies))
        }
        switch outcome {
        case .signedIn(let user):
            let next = context.session[Key.next]
            for key in [Key.user, Key.typed, Key.tries, Key.next] { context.session[key] = nil }
            let location = try await services.afterFirstFactor(user, method: SignInMethod.emailCode, next: next,
                                                               greeting: context.translator.text("Signed in as {{username}}.", ["username": user.username]),
                                                               context: context)
            return Response(status: .seeOther, headers: ["Location": location])
        case .wrong(let remaining):
            let problem = context.translator.plural(one: "That is not the code. {{count}} try left.", other: "That is not the code. {{count}} tries left.",
                                                    count: remaining)
            return try page(context, error: problem, status: .unprocessableContent)
                .response(for: request, context: context)
        case .noLiveCode:
            return try page(context, error: context.translator.text("That code has expired or was tried too often. Ask for a new one."), status: .unprocessableContent)
                .response(for: request, context: context)
        }
    }
}
