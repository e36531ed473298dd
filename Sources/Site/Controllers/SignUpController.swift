import Accounts
import Identity
import IdentityWeb
import Mustache
import Web

/// Sign-up with a password, then "check your email". When mail is on, every sign-up that passes
/// the form ends on the same page: a new account's code went to the address, or, when the
/// address already had an account, its owner got a note instead (see `AccountService.signUp`).
/// The page and its code form behave alike in both cases (a code for the phantom is simply
/// never right), so the form does not tell strangers which addresses have accounts.
///
/// With `ACCOUNT_EMAIL_VERIFICATION=optional`, "Continue without verifying" signs a new account
/// in; for the phantom it can only lead to the sign-in page. That one button does tell the two
/// apart, which is the price of letting unverified accounts in: the same trade django-allauth
/// documents. With `mandatory` there is no such button and nothing tells them apart.
struct SignUpController {
    let services: SiteServices

    /// The session keys of a sign-up waiting for its code: the account's id ("0" when the
    /// address had an account already), the address, and the phantom's wrong tries and resends.
    enum Key {
        static let pending = "signup_pending", email = "signup_email", tries = "signup_tries", resends = "signup_resends"
    }

    func register(on router: Router) {
        router.get("/signup", use: form)
        router.post("/signup", use: signUp)
        router.get("/signup/verify", use: checkEmail)
        router.post("/signup/verify", use: enterCode)
        router.post("/signup/verify/resend", use: resend)
        router.post("/signup/verify/skip", use: skip)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }
    private var providerButtons: MustacheValue { AccountController(services: services).providerButtons }

    @Sendable func form(_ request: Request, context: RequestContext) async throws -> Response {
        if context.currentUser != nil { return Response(status: .seeOther, headers: ["Location": "/account"]) }
        return try Page(context, title: context.translator.text("Create an account"), ["form": [:], "errors": FieldErrors().mustacheValue(context.translator), "providers": providerButtons])
            .view("site/signup").response(for: request, context: context)
    }

    @Sendable func signUp(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let username = form["username"] ?? "", email = form["email"] ?? ""
        let mail = SiteMail(request, context, services: services)
        do {
            let outcome = try await services.accounts.signUp(
                username: username, email: email, password: form["password"] ?? "", confirmation: form["password_confirmation"] ?? "",
                ip: request.clientIP(trustedProxies: trustedProxies),
                verification: { user, code in mail.code(user, to: user.email ?? "", code) },
                inUse: { address in mail.addressInUse(address) })
            switch outcome {
            case .created(let user) where !services.accounts.canSendMail:
                // No mail, no code to wait for: in at once.
                context.session.completeSignIn(userID: user.id, methods: [SignInMethod.password], now: services.clock.now())
                context.session.flash(context.translator.text("Welcome to Latchkey, {{username}}!", ["username": user.username]), kind: "success")
                return Response(status: .seeOther, headers: ["Location": "/account"])
            case .created(let user):
                startWaiting(context, userID: user.id, email: user.email ?? "")
            case .addressInUse:
                startWaiting(context, userID: 0, email: IdentityRules.trimmed(email))
            }
            return Response(status: .seeOther, headers: ["Location": "/signup/verify"])
        } catch let errors as FieldErrors {
            // Re-render with what was typed, except the passwords.
            let typed: MustacheValue = ["username": .string(String(username.prefix(200))), "email": .string(String(email.prefix(300)))]
            return try Page(context, title: context.translator.text("Create an account"), ["form": typed, "errors": errors.mustacheValue(context.translator), "providers": providerButtons])
                .view("site/signup", status: .unprocessableContent).response(for: request, context: context)
        }
    }

    private func startWaiting(_ context: RequestContext, userID: Int64, email: String) {
        context.session[Key.pending] = String(userID)
        context.session[Key.email] = email
        context.session[Key.tries] = "0"
        context.session[Key.resends] = "0"
    }

    private func stopWaiting(_ context: RequestContext) {
        for key in [Key.pending, Key.email, Key.tries, Key.resends] { context.session[key] = nil }
    }

    /// The waiting sign-up's account id (0: the phantom), or nil when nothing waits.
    private func pending(_ context: RequestContext) -> Int64? { context.session[Key.pending].flatMap { Int64($0) } }

    @Sendable func checkEmail(_ request: Request, context: RequestContext) async throws -> Response {
        guard pending(context) != nil else {
            return Response(status: .seeOther, headers: ["Location": context.currentUser == nil ? "/signup" : "/account"])
        }
        return try page(context, error: nil, status: .ok).response(for: request, context: context)
    }

    private func page(_ context: RequestContext, error: String?, status: HTTPStatus) -> View {
        Page(context, title: context.translator.text("Check your email"), [
            "email": .string(context.session[Key.email] ?? ""),
            "canSkip": .bool(!services.configuration.emailVerificationRequired),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("site/signup-verify", status: status)
    }

    @Sendable func enterCode(_ request: Request, context: RequestContext) async throws -> Response {
        guard let userID = pending(context) else { return Response(status: .seeOther, headers: ["Location": "/signup"]) }
        let code = try request.form()["code"] ?? ""
        let outcome: AccountService.CodeOutcome
        if userID == 0 {
            // The phantom's code is never right; its tries run out like a real one's.
            let tries = (context.session[Key.tries].flatMap { Int($0) } ?? 0) + 1
            context.session[Key.tries] = String(tries)
            outcome = tries >= EmailVerification.maxAttempts ? .noLiveCode : .wrong(remaining: EmailVerification.maxAttempts - tries)
        } else {
            outcome = try await services.accounts.enterEmailCode(userID: userID, code: code, ip: request.clientIP(trustedProxies: trustedProxies))
        }
        switch outcome {
        case .verified, .changed:
            return try await signIn(userID: userID, context: context, verified: true)
        case .wrong(let remaining):
            let problem = context.translator.plural(one: "That is not the code. {{count}} try left.", other: "That is not the code. {{count}} tries left.",
                                                    count: remaining)
            return try page(context, error: problem, status: .unprocessableContent)
                .response(for: request, context: context)
        case .noLiveCode, .addressTaken:
            return try page(context, error: context.translator.text("That code has expired or was tried too often. Send a new one."), status: .unprocessableContent)
                .response(for: request, context: context)
        }
    }

    @Sendable func resend(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let userID = pending(context) else { return Redirect(to: "/signup") }
        let email = context.session[Key.email] ?? ""
        let mail = SiteMail(request, context, services: services)
        do {
            if userID == 0 {
                let resends = (context.session[Key.resends].flatMap { Int($0) } ?? 0) + 1
                context.session[Key.resends] = String(resends)
                if resends > EmailVerification.resendLimit.limit { throw TooManyCodes(retryAfter: EmailVerification.resendLimit.window) }
            } else if let user = try await services.accounts.user(id: userID) {
                try await services.accounts.sendVerificationCode(to: user) { user, code in mail.code(user, to: user.email ?? "", code) }
            }
            context.session[Key.tries] = "0"
            context.session.flash(context.translator.text("A new message is on its way to {{email}}.", ["email": email]), kind: "success")
        } catch let limited as TooManyCodes {
            context.session.flash(EmailController.tooMany(limited, context.translator), kind: "error")
        }
        return Redirect(to: "/signup/verify")
    }

    @Sendable func skip(_ request: Request, context: RequestContext) async throws -> Response {
        guard let userID = pending(context), !services.configuration.emailVerificationRequired else {
            return Response(status: .seeOther, headers: ["Location": "/signup"])
        }
        guard userID != 0 else {
            stopWaiting(context)
            context.session.flash(context.translator.text("Sign in to continue."), kind: "info")
            return Response(status: .seeOther, headers: ["Location": "/login"])
        }
        return try await signIn(userID: userID, context: context, verified: false)
    }

    private func signIn(userID: Int64, context: RequestContext, verified: Bool) async throws -> Response {
        stopWaiting(context)
        guard let user = try await services.accounts.user(id: userID), !user.isDisabled else {
            return Response(status: .seeOther, headers: ["Location": "/login"])
        }
        context.session.completeSignIn(userID: user.id, methods: [SignInMethod.password], now: services.clock.now())
        let name = ["username": user.username]
        context.session.flash(verified ? context.translator.text("Welcome to Latchkey, {{username}}! Your email address is verified.", name)
                                       : context.translator.text("Welcome to Latchkey, {{username}}! Verify your address when the code arrives.", name),
                              kind: "success")
        return Response(status: .seeOther, headers: ["Location": "/account"])
    }
}
