import Identity
import Web

/// The sign-in form's two handlers, written once for both apps: `GET` shows the form (or sends
/// a signed-in visitor on), `POST` checks the password through the identity core and either
/// signs the person in or shows the form again with the refusal (`PasswordCheck.formRefusal(in:)`),
/// keeping what was typed but never the password. Each app supplies its page and what signing
/// in means for it.
public struct PasswordSignInForm<User: Sendable>: Sendable {
    /// Renders the form: `next` (already validated), the typed username, an error, the status.
    public typealias Page = @Sendable (RequestContext, _ next: String?, _ username: String, _ error: String?, HTTPStatus) -> View

    let returnPath: @Sendable (String?) -> String?
    let home: String
    let trustedProxies: Int
    let isSignedIn: @Sendable (RequestContext) -> Bool
    let check: @Sendable (_ username: String, _ password: String, _ ip: String) async throws -> PasswordCheck<User>
    /// What a right password leads to: signing in, or (with a second factor) the next step.
    /// Answers where to go.
    let proceed: @Sendable (User, RequestContext, _ next: String?) async throws -> String
    let tellFailures: (@Sendable (Int, RequestContext) -> Void)?
    let page: Page

    /// A form whose `next=` passes `returnPath`, landing on `home` without one.
    public init(returnPath: @escaping @Sendable (String?) -> String?, home: String, trustedProxies: Int,
                isSignedIn: @escaping @Sendable (RequestContext) -> Bool,
                check: @escaping @Sendable (_ username: String, _ password: String, _ ip: String) async throws -> PasswordCheck<User>,
                signIn: @escaping @Sendable (User, RequestContext) -> Void, page: @escaping Page,
                tellFailures: (@Sendable (Int, RequestContext) -> Void)? = PasswordSignInForm.flashFailures) {
        self.returnPath = returnPath
        self.home = home
        self.trustedProxies = trustedProxies
        self.isSignedIn = isSignedIn
        self.check = check
        self.proceed = { user, context, next in
            signIn(user, context)
            return next ?? home
        }
        self.page = page
        self.tellFailures = tellFailures
    }

    /// A form whose right password leads to `proceed`, which may sign in or ask for a second
    /// factor first, and answers where to go (`next` is already validated).
    public init(returnPath: @escaping @Sendable (String?) -> String?, home: String, trustedProxies: Int,
                isSignedIn: @escaping @Sendable (RequestContext) -> Bool,
                check: @escaping @Sendable (_ username: String, _ password: String, _ ip: String) async throws -> PasswordCheck<User>,
                proceed: @escaping @Sendable (User, RequestContext, _ next: String?) async throws -> String, page: @escaping Page,
                tellFailures: (@Sendable (Int, RequestContext) -> Void)? = PasswordSignInForm.flashFailures) {
        self.returnPath = returnPath
        self.home = home
        self.trustedProxies = trustedProxies
        self.isSignedIn = isSignedIn
        self.check = check
        self.proceed = proceed
        self.page = page
        self.tellFailures = tellFailures
    }

    /// Tells the person, on the next page, of failed attempts on their account they may not have
    /// made (the account slowdown's counterpart: slowed, never locked, and the owner is told).
    @Sendable public static func flashFailures(_ count: Int, _ context: RequestContext) {
        guard count > 0 else { return }
        context.session.flash(context.translator.plural(
            one: "There was {{count}} failed attempt to sign in to your account since you last signed in. If that was not you, choose a new password.",
            other: "There were {{count}} failed attempts to sign in to your account since you last signed in. If that was not you, choose a new password.",
            count: count), kind: "info")
    }

    /// `GET`: the empty form, or on to `next` (or `home`) for a visitor already signed in.
    @Sendable public func show(_ request: Request, context: RequestContext) async throws -> Response {
        let next = returnPath(try request.query()["next"])
        if isSignedIn(context) { return Response(status: .seeOther, headers: ["Location": next ?? home]) }
        return try page(context, next, "", nil, .ok).response(for: request, context: context)
    }

    /// `POST`: signs in and goes on, or shows the form again with the refusal.
    @Sendable public func submit(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let username = form["username"] ?? ""
        let next = returnPath(form["next"])
        let outcome = try await check(username, form["password"] ?? "", request.clientIP(trustedProxies: trustedProxies))
        guard case .verified(let user, let failedAttempts) = outcome else {
            let refusal = outcome.formRefusal(in: context.translator)!
            return try page(context, next, username, refusal.message, refusal.status).response(for: request, context: context)
                .setting(refusal.headers)
        }
        // Set only once the password is right (a refusal writes no session), kept through a
        // second-factor step, and read when the signed-in session is saved.
        context.session.keepsSignedIn = form["remember"] == "on"
        let location = try await proceed(user, context, next)
        tellFailures?(failedAttempts, context)
        return Response(status: .seeOther, headers: ["Location": location])
    }
}
