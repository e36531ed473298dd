import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// The short form between a provider's callback and a new account, when the provider gave no
/// verified address or its username is taken (`SocialAuthService.completeProfile`): choose a
/// username and an address, enter the code sent there, or (when email is optional) go on
/// without an address.
struct SocialSignUpController {
    let services: SiteServices
    /// The session key holding the waiting sign-up's token.
    static let sessionKey = "social_signup"

    func register(on router: Router) {
        router.get("/signup/social", use: form)
        router.post("/signup/social", use: submit)
        router.post("/signup/social/code", use: enterCode)
    }

    private var social: SocialAuthService { services.social }
    private var emailRequired: Bool { services.configuration.emailVerificationRequired }

    /// The waiting sign-up of this browser, or nil (then the form is gone: start again).
    private func pending(_ context: RequestContext) async throws -> (String, SocialAuthService.PendingSignUp)? {
        guard let token = context.session[Self.sessionKey] else { return nil }
        guard let pending = try await social.pendingSignUp(token) else {
            context.session[Self.sessionKey] = nil
            return nil
        }
        return (token, pending)
    }

    private var expired: Response {
        Response(status: .seeOther, headers: ["Location": "/login"])
    }

    @Sendable func form(_ request: Request, context: RequestContext) async throws -> Response {
        guard let (_, pending) = try await pending(context) else { return expired }
        return try page(context, pending, errors: FieldErrors(), typed: nil, status: .ok).response(for: request, context: context)
    }

    private func page(_ context: RequestContext, _ pending: SocialAuthService.PendingSignUp, errors: FieldErrors,
                      typed: (username: String, email: String)?, codeError: String? = nil, status: HTTPStatus) -> View {
        let name = social.registry.entry(pending.provider)?.displayName ?? pending.provider
        return Page(context, title: context.translator.text("Finish signing up"), [
            "providerName": .string(name),
            "username": .string(typed?.username ?? pending.chosenUsername ?? pending.suggestedUsername),
            "email": .string(typed?.email ?? pending.codeSentTo ?? pending.suggestedEmail ?? ""),
            "suggestedUnverified": .bool(pending.suggestedEmail != nil && !pending.emailVerifiedByProvider),
            "codeSentTo": pending.codeSentTo.map(MustacheValue.string) ?? .null,
            "emailRequired": .bool(emailRequired),
            "mailOff": .bool(!services.accounts.canSendMail),
            "errors": errors.mustacheValue(context.translator),
            "codeError": codeError.map(MustacheValue.string) ?? .null,
        ]).view("site/signup-social", status: status)
    }

    @Sendable func submit(_ request: Request, context: RequestContext) async throws -> Response {
        guard let (token, pending) = try await pending(context) else { return expired }
        let form = try request.form()
        let username = String((form["username"] ?? "").prefix(200))
        // "Continue without an address" sends the form with the address left out.
        let email = form["skip_email"] == "1" && !emailRequired ? "" : String((form["email"] ?? "").prefix(300))
        let mail = SiteMail(request, context, services: services)
        let returnTo = try await social.pendingReturnPath(token)
        do {
            let outcome = try await social.completeProfile(
                token, username: username, email: email, emailRequired: emailRequired,
                ip: request.clientIP(trustedProxies: services.configuration.trustedProxies),
                code: { address, username, code in
                    mail.message("email_verification", to: MailAddress(address, name: username), username: username,
                                 subject: Message("Your Latchkey code: {{code}}", ["code": code]), ["code": .string(code)])
                },
                inUse: { address in mail.addressInUse(address) })
            switch outcome {
            case .created(let user):
                return finish(user, returnTo: returnTo, provider: pending.provider, context: context)
            case .codeSent(let address):
                context.session.flash(context.translator.text("We sent a code to {{email}}.", ["email": address]), kind: "success")
                return Response(status: .seeOther, headers: ["Location": "/signup/social"])
            case nil:
                return expired
            }
        } catch let errors as FieldErrors {
            return try page(context, pending, errors: errors, typed: (username, email), status: .unprocessableContent)
                .response(for: request, context: context)
        }
    }

    @Sendable func enterCode(_ request: Request, context: RequestContext) async throws -> Response {
        guard let (token, pending) = try await pending(context) else { return expired }
        let returnTo = try await social.pendingReturnPath(token)
        let code = try request.form()["code"] ?? ""
        let problem: String
        switch try await social.confirmProfileCode(token, code: code, ip: request.clientIP(trustedProxies: services.configuration.trustedProxies)) {
        case .created(let user):
            return finish(user, returnTo: returnTo, provider: pending.provider, context: context)
        case .wrong(let remaining):
            problem = context.translator.plural(one: "That is not the code. {{count}} try left.", other: "That is not the code. {{count}} tries left.",
                                                count: remaining)
        case .noLiveCode:
            problem = context.translator.text("That code has expired or was tried too often. Send the form again for a new one.")
        case .usernameTaken:
            let fresh = try await social.pendingSignUp(token) ?? pending
            return try page(context, fresh, errors: FieldErrors("username", Message("That username was taken meanwhile. Choose another.")), typed: nil,
                            status: .unprocessableContent).response(for: request, context: context)
        }
        return try page(context, pending, errors: FieldErrors(), typed: nil, codeError: problem, status: .unprocessableContent)
            .response(for: request, context: context)
    }

    private func finish(_ user: User, returnTo: String?, provider: String, context: RequestContext) -> Response {
        context.session[Self.sessionKey] = nil
        context.session.completeSignIn(userID: user.id, methods: [SignInMethod.social], now: services.clock.now())
        let name = social.registry.entry(provider)?.displayName ?? provider
        context.session.flash(context.translator.text("Welcome, {{username}}! Your account was created with {{provider}}.", ["username": user.username, "provider": name]),
                              kind: "success")
        return Response(status: .seeOther, headers: ["Location": returnTo ?? "/account"])
    }
}
