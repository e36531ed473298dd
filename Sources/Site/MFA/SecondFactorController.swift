import Accounts
import Identity
import IdentityWeb
import Mustache
import Security
import Web

/// The sign-in steps that use the second-factor core: the page after a first factor that asks
/// for a passkey, an authenticator app code or a recovery code, and "sign in with a passkey"
/// from the sign-in page (which needs user verification, so it counts as both factors).
struct SecondFactorController {
    let services: SiteServices
    /// The second step's page.
    static let path = "/login/second-factor"
    /// Passkey sign-ins started per client address per minute: each stores a challenge, and the
    /// sign-in page starts one on every visit (for autofill), so this is generous but finite.
    static let passkeyStartLimit = RateLimit("passkey_sign_in", limit: 60, window: 60)

    func register(on router: Router) {
        router.get(Self.path, use: page)
        router.post(Self.path, use: submitCode)
        router.post(Self.path + "/passkey/options", use: secondFactorOptions)
        router.post(Self.path + "/passkey", use: secondFactorPasskey)
        router.post("/login/passkey/options", use: passkeyOptions)
        router.post("/login/passkey", use: passkeySignIn)
    }

    private func pendingSignIn(_ context: RequestContext) -> SecondFactorPending? {
        SecondFactorPending.load(from: context.session, now: services.clock.now())
    }

    /// Back to the sign-in page, saying why.
    private func expired(_ context: RequestContext) -> Response {
        context.session.flash(context.translator.text("Your sign-in took too long. Please start again."), kind: "info")
        return Response(status: .seeOther, headers: ["Location": "/login"])
    }

    /// A counter that went backwards may mean a cloned authenticator: the core counted it, the
    /// log names it and the owner is told (synced passkeys keep 0 and never show up here).
    func noteCounter(_ signIn: Passkeys.SignIn, _ request: Request, _ context: RequestContext) async throws {
        guard case .regressed(let stored, let received) = signIn.assertion.counter else { return }
        context.logger.warning("passkey_counter_regressed", ["passkey_id": signIn.passkey.id, "user_id": signIn.userID,
                                                             "stored": stored, "received": received])
        try await AccountSecurity(services: services, notice: SiteMail(request, context, services: services).notice)
            .passkeyCounterRegressed(signIn)
    }

    private func activeUser(_ id: Int64) async throws -> User? {
        try await services.database.read { db in try UserRepository.find(id: id, in: db) }.flatMap { $0.isDisabled ? nil : $0 }
    }

    /// Signs in after the second factor, with the recorded first.
    private func finish(_ pending: SecondFactorPending, with method: AuthenticationMethod, context: RequestContext) -> String {
        pending.complete(with: method, now: services.clock.now(), in: context.session)
        context.session.flash(pending.greeting ?? context.translator.text("Signed in."), kind: "success")
        return pending.next ?? "/account"
    }

    // MARK: The second step's page

    @Sendable func page(_ request: Request, context: RequestContext) async throws -> Response {
        guard let pending = pendingSignIn(context) else { return expired(context) }
        return try await view(pending, context: context, error: nil, status: .ok).response(for: request, context: context)
    }

    private func view(_ pending: SecondFactorPending, context: RequestContext, error: String?, status: HTTPStatus) async throws -> View {
        let overview = try await services.database.read { db in try AccountSecurity.overview(userID: pending.userID, in: db) }
        return Page(context, title: context.translator.text("Two-step sign-in"), [
            "passkeys": .bool(!overview.passkeys.isEmpty),
            "app": .bool(overview.hasAuthenticatorApp),
            "recovery": .bool(overview.recoveryCodesLeft > 0),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("site/login-second-factor", status: status)
    }

    @Sendable func submitCode(_ request: Request, context: RequestContext) async throws -> Response {
        guard let pending = pendingSignIn(context) else { return expired(context) }
        guard let user = try await activeUser(pending.userID) else {
            SecondFactorPending.clear(in: context.session)
            return expired(context)
        }
        let form = try request.form()
        let code = String((form["code"] ?? "").prefix(64))
        let security = AccountSecurity(services: services, notice: SiteMail(request, context, services: services).notice)
        let check: SecondFactor.Check, method: AuthenticationMethod
        if form["method"] == "recovery" {
            let outcome = try await security.useRecoveryCode(user: user, code: code)
            check = outcome.check
            method = SignInMethod.recoveryCode
            if let left = outcome.recoveryCodesLeft {
                let used = left <= 3
                    ? context.translator.plural(one: "You used a recovery code: {{count}} is left. Make new ones on your account page.",
                                                other: "You used a recovery code: {{count}} are left. Make new ones on your account page.", count: left)
                    : context.translator.plural(one: "You used a recovery code: {{count}} is left.",
                                                other: "You used a recovery code: {{count}} are left.", count: left)
                context.session.flash(used, kind: left <= 3 ? "error" : "info")
            }
        } else {
            check = try await security.verifyAppCode(userID: user.id, code: code)
            method = SignInMethod.totp
        }
        let error: String
        switch check {
        case .accepted:
            return Response(status: .seeOther, headers: ["Location": finish(pending, with: method, context: context)])
        case .wrong, .notEnrolled: error = context.translator.text("That code is not right. Please try again.")
        case .alreadyUsed: error = context.translator.text("That code was used already. Wait for the next one, or use another code.")
        case .throttled(let retryAfter):
            let wait = context.translator.plural(one: "Too many wrong codes. Try again in {{count}} minute.",
                                                 other: "Too many wrong codes. Try again in {{count}} minutes.", count: max(1, retryAfter / 60))
            return try await view(pending, context: context, error: wait,
                                  status: .tooManyRequests).response(for: request, context: context)
                .setting(["Retry-After": String(retryAfter)])
        }
        return try await view(pending, context: context, error: error, status: .unprocessableContent).response(for: request, context: context)
    }

    // MARK: A passkey as the second factor

    @Sendable func secondFactorOptions(_ request: Request, context: RequestContext) async throws -> Response {
        try await PasskeyJSON.respond(context) {
            guard let pending = pendingSignIn(context) else { throw PasskeyRequestError.noPendingSignIn }
            return try PasskeyJSON.options(try await services.passkeys(for: request).beginAuthentication(userID: pending.userID).options)
        }
    }

    @Sendable func secondFactorPasskey(_ request: Request, context: RequestContext) async throws -> Response {
        try await PasskeyJSON.respond(context) {
            guard let pending = pendingSignIn(context) else { throw PasskeyRequestError.noPendingSignIn }
            let response = try PasskeyJSON.authentication(request)
            let signIn = try await PasskeyJSON.ceremony { try await services.passkeys(for: request).finishAuthentication(response) }
            guard signIn.userID == pending.userID else { throw PasskeyRequestError.anotherAccount }
            try await noteCounter(signIn, request, context)
            guard try await activeUser(pending.userID) != nil else { throw PasskeyRequestError.accountDisabled }
            return try PasskeyJSON.redirect(finish(pending, with: SignInMethod.passkey, context: context))
        }
    }

    // MARK: Sign in with a passkey alone

    @Sendable func passkeyOptions(_ request: Request, context: RequestContext) async throws -> Response {
        try await PasskeyJSON.respond(context) {
            let ip = request.clientIP(trustedProxies: services.configuration.trustedProxies), now = services.clock.now()
            if let wait = try await services.database.write({ db in try Self.passkeyStartLimit.hit(ip, now: now, in: db) }) {
                throw PasskeyRequestError.tooManyRequests(retryAfter: wait)
            }
            return try PasskeyJSON.options(try await services.passkeys(for: request, userVerification: .required)
                .beginAuthentication(userID: nil).options)
        }
    }

    /// A passkey with user verification is something you have and something you are or know,
    /// so it signs in without a password or second step.
    @Sendable func passkeySignIn(_ request: Request, context: RequestContext) async throws -> Response {
        try await PasskeyJSON.respond(context) {
            let response = try PasskeyJSON.authentication(request)
            let signIn = try await PasskeyJSON.ceremony {
                try await services.passkeys(for: request, userVerification: .required).finishAuthentication(response)
            }
            try await noteCounter(signIn, request, context)
            guard let user = try await activeUser(signIn.userID) else { throw PasskeyRequestError.accountDisabled }
            let next = LocalRedirect.path(try request.query()["next"])
            context.session.completeSignIn(userID: user.id, methods: [SignInMethod.passkey], now: services.clock.now())
            context.session.flash(context.translator.text("Signed in as {{username}} with a passkey.", ["username": user.username]), kind: "success")
            return try PasskeyJSON.redirect(next ?? (user.isAdmin ? "/admin" : "/account"))
        }
    }
}
