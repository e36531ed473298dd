import Identity
import IdentityWeb
import Mustache
import Web

/// The provider's own pages for people: home, sign-up, sign-in, sign-out, and the health check.
struct AccountController {
    let services: ProviderServices

    func register(on router: Router) {
        router.get("/", use: home)
        HealthCheck.register(on: router)
        router.get("/signup", use: signUpForm)
        router.post("/signup", use: signUp)
        router.get("/login", use: signInForm.show)
        router.post("/login", use: submitSignIn)
        router.post("/logout", use: signOut)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    @Sendable func home(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: "Latchkey ID", ["issuer": .string(services.configuration.baseURL),
                                             "mailOn": .bool(services.users.canSendMail),
                                             "signedOut": .bool(try context.currentUser == nil && request.query()["signed_out"] == "1")])
            .view("provider/home")
    }

    // MARK: Sign-up

    @Sendable func signUpForm(_ request: Request, context: RequestContext) async throws -> Response {
        let next = ReturnPath.validated(try request.query()["next"])
        if context.currentUser != nil { return Response(status: .seeOther, headers: ["Location": next ?? "/"]) }
        return try signUpPage(context, next: next, typed: [:], errors: FieldErrors()).response(for: request, context: context)
    }

    @Sendable func signUp(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let next = ReturnPath.validated(form["next"])
        let new = NewUser(username: form["username"] ?? "", email: form["email"] ?? "", name: form["name"] ?? "")
        do {
            let user = try await services.users.signUp(new, password: form["password"] ?? "", confirmation: form["password_confirmation"] ?? "",
                                                       ip: request.clientIP(trustedProxies: trustedProxies),
                                                       verification: services.mail(context).verificationCode)
            Self.completeSignIn(userID: user.id, methods: [.password], now: services.clock.now(), context: context)
            let names = ["username": user.username, "email": user.email]
            context.session.flash(services.users.canSendMail
                ? context.translator.text("Welcome, {{username}}! Your provider account is ready. We sent a code to {{email}}: enter it on your account page to verify the address.", names)
                : context.translator.text("Welcome, {{username}}! Your provider account is ready.", names),
                                  kind: "success")
            return Response(status: .seeOther, headers: ["Location": next ?? "/"])
        } catch let errors as FieldErrors {
            // Re-render with what was typed, except the passwords.
            let typed: [String: MustacheValue] = ["username": .string(String(new.username.prefix(200))),
                                                  "email": .string(String(new.email.prefix(300))), "name": .string(String(new.name.prefix(200)))]
            return try signUpPage(context, next: next, typed: typed, errors: errors, status: .unprocessableContent)
                .response(for: request, context: context)
        }
    }

    private func signUpPage(_ context: RequestContext, next: String?, typed: [String: MustacheValue], errors: FieldErrors,
                            status: HTTPStatus = .ok) -> View {
        Page(context, title: context.translator.text("Create a provider account"), [
            "form": MustacheValue(typed), "errors": errors.mustacheValue(context.translator), "next": next.map(MustacheValue.string) ?? .null,
        ]).view("provider/signup", status: status)
    }

    // MARK: Sign-in

    /// A user whose password was right, and whether a second factor must follow.
    struct SignInCandidate: Sendable {
        let user: ProviderUser
        let hasSecondFactor: Bool
    }

    /// Sign-in with a password: the shared form flow; `next` may also be an authorization request.
    /// A signed-in visitor an authorization request sent back to sign in again sees the form.
    private var signInForm: PasswordSignInForm<SignInCandidate> {
        let users = services.users, factors = services.secondFactors
        return PasswordSignInForm(
            returnPath: ReturnPath.validated, home: "/", trustedProxies: trustedProxies,
            isSignedIn: { $0.currentUser != nil && !Reauthentication.isPending($0.session) },
            check: { username, password, ip in
                switch try await users.signIn(username: username, password: password, ip: ip) {
                case .verified(let user, let failures):
                    .verified(SignInCandidate(user: user, hasSecondFactor: try await factors.isEnabled(userID: user.id)), failedAttempts: failures)
                case .refused(let user): .refused(SignInCandidate(user: user, hasSecondFactor: false))
                case .invalidCredentials: .invalidCredentials
                case .throttled(let wait, let limit): .throttled(retryAfter: wait, limit: limit)
                }
            },
            signIn: passwordAccepted, page: signInPage)
    }

    /// `POST /login`: the shared form; when the account has a second factor, the password only
    /// opens the half-signed-in state and the visitor goes on to the second-factor page.
    @Sendable func submitSignIn(_ request: Request, context: RequestContext) async throws -> Response {
        let response = try await signInForm.submit(request, context: context)
        guard response.status == .seeOther, var pending = SecondFactorPending.load(from: context.session, now: services.clock.now()) else {
            return response
        }
        pending.next = ReturnPath.validated(try request.form()["next"])
        pending.save(in: context.session)
        return Response(status: .seeOther, headers: ["Location": SecondFactorController.path])
    }

    /// The password was right: signs in, or, with a second factor on the account, starts the
    /// half-signed-in state (a new session id, nobody signed in yet).
    @Sendable private func passwordAccepted(_ candidate: SignInCandidate, context: RequestContext) {
        let now = services.clock.now()
        guard candidate.hasSecondFactor else {
            Self.completeSignIn(userID: candidate.user.id, methods: [.password], now: now, context: context)
            return
        }
        context.session.rotateID()
        SecondFactorPending(userID: candidate.user.id, methods: [.password], startedAt: now, next: nil).save(in: context.session)
        context.logger.info("second_factor_required", ["user_id": candidate.user.id])
    }

    /// Starts a signed-in session (with a new id) and records when and how, for id_tokens'
    /// `auth_time`, `amr` and `acr`; a sign-in an authorization request was waiting for is done.
    static func completeSignIn(userID: Int64, methods: [AuthenticationMethod], now: Int, context: RequestContext) {
        SecondFactorPending.clear(in: context.session)
        context.session.signIn(userID: userID, methods: methods, at: now)
        signedIn(context)
    }

    /// After any sign-in: a sign-in an authorization request was waiting for is done, and the
    /// log says how.
    static func signedIn(_ context: RequestContext, factor: String? = nil) {
        Reauthentication.signedIn(context.session)
        let user = context.session.userID ?? 0, amr = context.session.authenticationMethodsInOrder.map(\.rawValue).joined(separator: " ")
        if let factor {
            context.logger.info("signed_in", ["user_id": user, "amr": amr, "factor": factor])
        } else {
            context.logger.info("signed_in", ["user_id": user, "amr": amr])
        }
    }

    @Sendable private func signInPage(_ context: RequestContext, next: String?, username: String, error: String?, status: HTTPStatus) -> View {
        Page(context, title: context.translator.text("Sign in"), [
            "reauthenticate": .bool(context.currentUser != nil),
            "next": next.map(MustacheValue.string) ?? .null,
            "signupLink": .string("/signup" + (next.map { "?next=" + FormData.encode($0) } ?? "")),
            "username": .string(String(username.prefix(200))),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("provider/login", status: status)
    }

    @Sendable func signOut(_ request: Request, context: RequestContext) async throws -> Redirect {
        // Signing out here ends the same session RP-initiated logout does: its clients are told.
        if let userID = context.session.userID, let sid = LogoutSessions.existingSID(of: context.session) {
            let backchannel = services.backchannelLogout, logger = context.logger
            Task { await backchannel.notify(sid: sid, userID: userID, logger: logger) }
        }
        context.session.destroy()
        // The session (and any flash in it) is gone: the home page says it from the address.
        return Redirect(to: "/?signed_out=1")
    }
}
