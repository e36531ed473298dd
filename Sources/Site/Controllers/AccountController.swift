import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Storage
import Web

/// Local accounts: sign-in, sign-out, and the account page with its password and
/// session controls.
struct AccountController {
    let services: SiteServices

    func register(on router: Router) {
        router.get("/login", use: signInForm.show)
        router.post("/login", use: signInForm.submit)
        router.post("/logout", use: signOut)
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.get("/", use: accountPage)
        account.post("/password", use: changePassword)
        account.post("/sessions/others/delete", use: ConfirmationPages.site.confirming(Self.askEndOtherSessions, then: endOtherSessions))
        account.post("/api-tokens/:id/delete", use: ConfirmationPages.site.confirming(askRevokeAPIToken, then: revokeAPIToken))
    }

    private var trustedProxies: Int { services.configuration.trustedProxies }

    // MARK: Sign-in

    /// Sign-in with a password: the shared form flow, landing on the account page.
    private var signInForm: PasswordSignInForm<User> {
        let accounts = services.accounts, clock = services.clock
        return PasswordSignInForm(
            returnPath: { LocalRedirect.path($0) }, home: "/account", trustedProxies: trustedProxies,
            isSignedIn: { $0.currentUser != nil },
            check: { username, password, ip in try await accounts.signIn(username: username, password: password, ip: ip) },
            proceed: { [services] user, context, next in
                try await services.afterFirstFactor(user, method: SignInMethod.password, next: next,
                                                    greeting: context.translator.text("Signed in as {{username}}.", ["username": user.username]), context: context)
            },
            page: signInPage)
    }

    /// The enabled providers, for the brand-styled sign-in buttons.
    var providerButtons: MustacheValue {
        .list(services.social.registry.enabled.map(BrandMarks.button))
    }

    @Sendable private func signInPage(_ context: RequestContext, next: String?, username: String, error: String?, status: HTTPStatus) -> View {
        Page(context, title: context.translator.text("Sign in"), [
            "providers": providerButtons,
            "next": next.map(MustacheValue.string) ?? .null,
            "username": .string(String(username.prefix(200))),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("site/login", status: status)
    }

    /// Signing out also abandons a half-finished sign-in (the second step's "cancel").
    @Sendable func signOut(_ request: Request, context: RequestContext) async throws -> Redirect {
        context.session.destroy()
        // The session (and any flash in it) is gone: the home page says it from the address.
        return Redirect(to: "/?signed_out=1")
    }

    // MARK: Account page

    @Sendable func accountPage(_ request: Request, context: RequestContext) async throws -> View {
        try await accountView(context, errors: FieldErrors(), connect: try request.query()["connect"])
    }

    /// The account page; forms elsewhere (`EmailController`) re-render it with their errors.
    func accountView(_ context: RequestContext, errors: FieldErrors, status: HTTPStatus = .ok,
                     typed: [String: MustacheValue] = [:], connect: String? = nil) async throws -> View {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let now = Clock.now
        let current = context.session.loadedIDHash
        // The page's lists in one read: each `read` is a trip to a worker thread and a
        // transaction of its own, and several of them cost more than the rest of the page.
        let (sessions, apiTokens, connections, pending, security) = try await services.database.read { db in
            (try SessionRepository.active(userID: user.id, now: now, in: db), try APITokenRepository.live(userID: user.id, now: now, in: db),
             try SocialAccountRepository.forUser(user.id, in: db), try EmailVerification.pendingAddress(userID: user.id, now: now, in: db),
             try AccountSecurity.overview(userID: user.id, in: db))
        }
        let pendingEmail = AccountService.pendingEmailChange(pending, for: user)
        let registry = services.social.registry
        let connectionValues: [MustacheValue] = connections.map { account in
            [
                "id": .int(Int(account.id)),
                "provider": .string(account.provider),
                "providerName": .string(registry.entry(account.provider)?.displayName ?? account.provider),
                "account": .string(account.login ?? account.email ?? account.name ?? account.providerUID),
                "connectedAt": .string(context.translator.date(account.createdAt)),
                "tokenStatus": .string(Self.tokenStatus(account.effectiveTokenStatus(now: now), context.translator)),
            ]
        }
        let linked = Set(connections.map(\.provider))
        let connectable: [MustacheValue] = registry.enabled.filter { !linked.contains($0.id) }.map(BrandMarks.button)
        let sessionValues: [MustacheValue] = sessions.map { session in
            [
                "current": .bool(session.idHash == current),
                "lastSeen": .string(context.translator.dateTime(session.lastSeen)),
                "since": .string(context.translator.dateTime(session.createdAt)),
                "ip": .string(session.remoteIP ?? context.translator.text("unknown")),
                "agent": .string(session.userAgent.map { UserAgentSummary.describe($0, context.translator) } ?? context.translator.text("Unknown browser")),
            ]
        }
        // Arriving from "an account with this email exists" (`?connect=github`): offer that one first.
        let connectNow: MustacheValue = registry.enabled.first { $0.id == connect && !linked.contains($0.id) }
            .map(BrandMarks.button) ?? .null
        return Page(context, title: context.translator.text("Your account"), [
            "user": MustacheValue(user),
            "memberSince": .string(context.translator.date(user.createdAt)),
            "sessions": .list(sessionValues),
            "otherSessions": .bool(sessions.contains { $0.idHash != current } || !apiTokens.isEmpty),
            "apiTokens": .list(apiTokens.map { token in
                ["id": .int(Int(token.id)), "client": .string(token.client.map { UserAgentSummary.describe($0, context.translator) } ?? context.translator.text("An app")),
                 "created": .string(context.translator.dateTime(token.createdAt)),
                 "lastUsed": .string(token.lastUsedAt.map(context.translator.dateTime) ?? context.translator.text("never")),
                 "expires": .string(context.translator.dateTime(token.expiresAt))]
            }),
            "hasAPITokens": .bool(!apiTokens.isEmpty),
            "verifyEmail": .bool(user.email != nil && !user.emailVerified && services.accounts.canSendMail && pendingEmail == nil),
            "pendingEmail": pendingEmail.map(MustacheValue.string) ?? .null,
            "canChangeEmail": .bool(services.accounts.canSendMail),
            "typed": MustacheValue(typed),
            "connections": .list(connectionValues),
            "hasConnections": .bool(!connections.isEmpty),
            "connectable": .list(connectable),
            "connectNow": connectNow,
            "errors": errors.mustacheValue(context.translator),
            "security": Self.securityValues(security, context.translator),
        ]).view("site/account", status: status)
    }

    @Sendable func changePassword(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let form = try request.form()
        do {
            try await services.accounts.changePassword(userID: user.id, current: form["current_password"] ?? "",
                                                       new: form["new_password"] ?? "",
                                                       confirmation: form["new_password_confirmation"] ?? "",
                                                       keepingSession: context.session.loadedIDHash,
                                                       ip: request.clientIP(trustedProxies: trustedProxies)) { [mail = SiteMail(request, context, services: services)] user in
                mail.message("password_changed", to: user, subject: Message("Your Latchkey password was changed"), ["fromAccountPage": true])
            }
        } catch let errors as FieldErrors {
            return try await accountView(context, errors: errors, status: .unprocessableContent).response(for: request, context: context)
        }
        context.session.rotateID()
        context.session.flash(context.translator.text("Your password has been changed, your other sessions have been signed out and your API tokens revoked."),
                              kind: "success")
        return Response(status: .seeOther, headers: ["Location": "/account"])
    }

    @Sendable static func askEndOtherSessions(_ request: Request, context: RequestContext) async throws -> Confirmation {
        let translator = context.translator
        return Confirmation(translator.text("Sign out of your other sessions?"),
                            consequences: [translator.text("Every other browser signed in to your account is signed out."),
                                           translator.text("Apps that signed you in through the API lose their tokens and must sign in again."),
                                           translator.text("This browser stays signed in.")],
                            button: translator.text("Sign out everywhere else"), cancel: "/account")
    }

    /// Asks only about a live token of the person's own: someone else's id is a 404 at the
    /// question already, as it would be at the action.
    @Sendable func askRevokeAPIToken(_ request: Request, context: RequestContext) async throws -> Confirmation {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let now = services.clock.now()
        guard let id = context.parameters.int("id").map(Int64.init),
              try await services.database.read({ db in try APITokenRepository.live(userID: user.id, now: now, in: db) })
                .contains(where: { $0.id == id }) else {
            throw HTTPError(.notFound, context.translator.text("That API token does not exist or was already revoked."))
        }
        return Confirmation(context.translator.text("Revoke this API token?"),
                            consequences: [context.translator.text("The app holding it is signed out and must sign in again.")],
                            button: context.translator.text("Revoke the token"), cancel: "/account")
    }

    @Sendable func endOtherSessions(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let (sessions, tokens) = try await services.accounts.signOutElsewhere(userID: user.id, keeping: context.session.loadedIDHash,
                                                                             ip: request.clientIP(trustedProxies: trustedProxies))
        let translator = context.translator
        let message = if sessions + tokens == 0 {
            translator.text("You had no other sessions.")
        } else if tokens == 0 {
            translator.plural(one: "Signed out of {{count}} other session.", other: "Signed out of {{count}} other sessions.", count: sessions)
        } else {
            translator.text("Signed out of {{sessions}} and revoked {{tokens}}.", [
                "sessions": translator.plural(one: "{{count}} other session", other: "{{count}} other sessions", count: sessions),
                "tokens": translator.plural(one: "{{count}} API token", other: "{{count}} API tokens", count: tokens),
            ])
        }
        context.session.flash(message, kind: "success")
        return Redirect(to: "/account")
    }

    @Sendable func revokeAPIToken(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        guard let id = context.parameters.int("id").map(Int64.init),
              try await services.accounts.revokeAPIToken(id: id, userID: user.id, ip: request.clientIP(trustedProxies: trustedProxies)) else {
            throw HTTPError(.notFound, context.translator.text("That API token does not exist or was already revoked."))
        }
        context.session.flash(context.translator.text("Revoked the API token."), kind: "success")
        return Redirect(to: "/account")
    }

    /// A linked account's token status as the account page words it.
    static func tokenStatus(_ status: TokenStatus, _ translator: Translator) -> String {
        switch status {
        case .active: translator.text("active", context: "token status")
        case .reconnect: translator.text("reconnect", context: "token status")
        case .revoked: translator.text("revoked", context: "token status")
        case .expired: translator.text("expired", context: "token status")
        case .none: translator.text("none", context: "token status")
        }
    }

    /// The "Security" section's values.
    static func securityValues(_ overview: AccountSecurity.Overview, _ translator: Translator) -> MustacheValue {
        let app: String = switch overview.totp {
        case .notSetUp: "off"
        case .pending: "pending"
        case .enabled: "on"
        }
        return [
            "passkeys": .list(overview.passkeys.map { passkey -> MustacheValue in
                ["id": .int(Int(passkey.id)), "name": .string(passkey.name), "created": .string(translator.date(passkey.createdAt)),
                 "lastUsed": .string(passkey.lastUsedAt.map(translator.dateTime) ?? translator.text("never")),
                 "synced": .bool(passkey.backedUp), "syncable": .bool(passkey.backupEligible),
                 "mayBeCopied": .bool(passkey.counterRegressions > 0)]
            }),
            "hasPasskeys": .bool(!overview.passkeys.isEmpty),
            "appOn": .bool(app == "on"), "appPending": .bool(app == "pending"), "appOff": .bool(app == "off"),
            "on": .bool(overview.hasSecondFactor),
            "codesLeft": .int(overview.recoveryCodesLeft),
        ]
    }
}
