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
        router.post("/login", use: signInForm.submit)
        router.post("/logout", use: signOut)
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    @Sendable func home(_ request: Request, context: RequestContext) async throws -> View {
        Page(context, title: "Latchkey ID", ["issuer": .string(services.configuration.baseURL),
                                             "mailOn": .bool(services.users.canSendMail)]).view("provider/home")
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
            signIn(user, context: context)
            context.session.flash("Welcome, \(user.username)! Your provider account is ready."
                                  + (services.users.canSendMail ? " We sent a code to \(user.email): enter it on your account page to verify the address." : ""),
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
        Page(context, title: "Create a provider account", [
            "form": MustacheValue(typed), "errors": errors.mustacheValue, "next": next.map(MustacheValue.string) ?? .null,
        ]).view("provider/signup", status: status)
    }

    // MARK: Sign-in

    /// Sign-in with a password: the shared form flow; `next` may also be an authorization request.
    private var signInForm: PasswordSignInForm<ProviderUser> {
        let users = services.users
        return PasswordSignInForm(
            returnPath: ReturnPath.validated, home: "/", trustedProxies: trustedProxies, isSignedIn: { $0.currentUser != nil },
            check: { username, password, ip in try await users.signIn(username: username, password: password, ip: ip) },
            signIn: signIn, page: signInPage)
    }

    /// Starts a signed-in session (with a new id) and notes when, for id_tokens' `auth_time`.
    @Sendable private func signIn(_ user: ProviderUser, context: RequestContext) {
        context.session.signIn(userID: user.id)
        context.session["auth_time"] = String(services.clock.now())
        context.logger.info("signed_in", ["user_id": user.id])
    }

    @Sendable private func signInPage(_ context: RequestContext, next: String?, username: String, error: String?, status: HTTPStatus) -> View {
        Page(context, title: "Sign in", [
            "next": next.map(MustacheValue.string) ?? .null,
            "signupLink": .string("/signup" + (next.map { "?next=" + FormData.encode($0) } ?? "")),
            "username": .string(String(username.prefix(200))),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("provider/login", status: status)
    }

    @Sendable func signOut(_ request: Request, context: RequestContext) async throws -> Redirect {
        context.session.destroy()
        return Redirect(to: "/")
    }
}
