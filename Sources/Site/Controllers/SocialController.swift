import Accounts
import IdentityWeb
import Mustache
import Storage
import Web

/// Social sign-in and account linking: `POST /auth/:provider` starts (CSRF-checked, so nobody
/// can sign a visitor in to an account of their choosing), `GET /auth/:provider/callback`
/// finishes, and `POST /account/connections/:id/delete` unlinks.
struct SocialController {
    let services: SiteServices
    private var social: SocialAuthService { services.social }
    /// The session value that binds OAuth states to this browser.
    static let bindingKey = "oauth_binding"

    func register(on router: Router) {
        router.post("/auth/:provider", use: start)
        router.get("/auth/:provider/callback", use: callback)
        router.group("/account", middleware: [RequireUserMiddleware()])
            .post("/connections/:id/delete", use: ConfirmationPages.site.confirming(askDisconnect, then: disconnect))
    }

    /// The callback URL to register with a provider.
    static func callbackURL(origin: String, provider: String) -> String { "\(origin)/auth/\(provider)/callback" }

    @Sendable func start(_ request: Request, context: RequestContext) async throws -> Response {
        let id = context.parameters["provider"] ?? ""
        guard let entry = social.registry.entry(id), entry.isEnabled else { throw HTTPError(.notFound, "There is no sign-in provider called \"\(id.prefix(40))\" here.") }
        let form = try request.form()
        let intent: SocialAuthService.Intent
        if form["intent"] == "connect" {
            guard let user = context.currentUser else { return signInRedirect(for: request) }
            intent = .connect(userID: user.id)
        } else {
            intent = .signIn
        }
        let binding = context.session[Self.bindingKey] ?? SessionMiddleware.newToken()
        context.session[Self.bindingKey] = binding
        let redirectURI = Self.callbackURL(origin: services.configuration.origin(for: request), provider: id)
        do {
            let url = try await social.begin(provider: id, intent: intent, returnTo: form["next"], sessionBinding: binding, redirectURI: redirectURI)
            return Response(status: .seeOther, headers: ["Location": url, "Cache-Control": "no-store"])
        } catch let error as SocialAuthError {
            // The page says "not answering"; the log says why (discovery unreachable, and so on).
            context.logger.warning("social_auth_failed", ["provider": id, "step": "start", "error": error])
            return try await failure(error, providerName: entry.displayName, intent: intent, request: request, context: context)
        }
    }

    @Sendable func callback(_ request: Request, context: RequestContext) async throws -> Response {
        let id = context.parameters["provider"] ?? ""
        guard let entry = social.registry.entry(id), entry.isEnabled else { throw HTTPError(.notFound, "There is no sign-in provider called \"\(id.prefix(40))\" here.") }
        do {
            let mail = SiteMail(request, context, services: services)
            let (outcome, idClaims) = try await social.completeWithClaims(provider: id, query: try request.query(),
                                                                          sessionBinding: context.session[Self.bindingKey],
                                                                          ip: request.clientIP(trustedProxies: services.configuration.trustedProxies),
                                                                          notice: mail.notice)
            switch outcome {
            case .signedIn(let user, let created, let returnTo):
                let location = try await services.afterFirstFactor(
                    user, method: SignInMethod.social, next: returnTo,
                    greeting: created ? "Welcome, \(user.username)! Your account was created with \(entry.displayName)."
                                      : "Signed in with \(entry.displayName).", context: context)
                // The provider's sub and sid, so its back-channel logout can end this session.
                context.session[BackchannelLogoutReceiver.sessionKey] = idClaims.flatMap { BackchannelLogoutReceiver.sessionValue(provider: id, claims: $0) }
                return Response(status: .seeOther, headers: ["Location": location])
            case .connected(_, _, let returnTo):
                context.session.flash("\(entry.displayName) is now connected to your account.", kind: "success")
                return Response(status: .seeOther, headers: ["Location": returnTo ?? "/account"])
            case .needsProfile(let token):
                context.session[SocialSignUpController.sessionKey] = token
                return Response(status: .seeOther, headers: ["Location": "/signup/social"])
            }
        } catch let error as SocialAuthError {
            context.logger.warning("social_auth_failed", ["provider": id, "error": error])
            // A signed-in visitor coming back was connecting; anyone else was signing in.
            let intent: SocialAuthService.Intent = context.currentUser.map { .connect(userID: $0.id) } ?? .signIn
            return try await failure(error, providerName: entry.displayName, intent: intent, request: request, context: context)
        }
    }

    /// What disconnecting changes, asked before it happens.
    @Sendable func askDisconnect(_ request: Request, context: RequestContext) async throws -> Confirmation {
        guard let user = context.currentUser, let accountID = context.parameters["id"].flatMap({ Int64($0) }),
              let account = try await services.database.read({ db in try SocialAccountRepository.find(id: accountID, in: db) }),
              account.userID == user.id else {
            throw HTTPError(.notFound, "That linked account does not exist.")
        }
        let name = social.registry.entry(account.provider)?.displayName ?? account.provider
        let login = account.login ?? account.email ?? account.name
        return Confirmation("Disconnect \(name)?",
                            consequences: ["You can no longer sign in with this \(name) account" + (login.map { " (\($0))." } ?? "."),
                                           "We delete its tokens here and ask \(name) to revoke them.",
                                           "You can connect \(name) again at any time."],
                            button: "Disconnect \(name)", cancel: "/account")
    }

    @Sendable func disconnect(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser, let accountID = context.parameters["id"].flatMap({ Int64($0) }) else {
            throw HTTPError(.notFound, "That linked account does not exist.")
        }
        do {
            let (account, upstream) = try await social.disconnect(accountID: accountID, userID: user.id,
                                                                  ip: request.clientIP(trustedProxies: services.configuration.trustedProxies),
                                                                  notice: SiteMail(request, context, services: services).notice)
            if let upstream {
                context.logger.warning("upstream_revoke_failed", ["provider": account.provider, "error": upstream])
            }
            let name = social.registry.entry(account.provider)?.displayName ?? account.provider
            context.session.flash("\(name) has been disconnected from your account.", kind: "success")
        } catch SocialAuthError.lastSignInMethod {
            context.session.flash("You cannot disconnect your only way to sign in. Set a password or connect another provider first.", kind: "error")
        }
        return Response(status: .seeOther, headers: ["Location": "/account"])
    }

    /// The page people see when social sign-in (or connecting) fails: what happened, in their
    /// words, and what they can do next. Never a 500, never a blank page.
    private func failure(_ error: SocialAuthError, providerName name: String, intent: SocialAuthService.Intent,
                         request: Request, context: RequestContext) async throws -> Response {
        let connecting = if case .connect = intent { true } else { false }
        let doing = connecting ? "connecting" : "signing in with"
        var merge: MustacheValue = .null, others: MustacheValue = .null
        var inUseAdvice = ""
        if case .emailBelongsToExistingAccount(let provider, let email) = error, context.currentUser == nil {
            // Offer only what that account can do: a password it has, the providers it is
            // linked to (each returning to the account page to connect this one), a mailed code.
            let next = "/account?connect=\(provider)"
            let ways = try await services.database.read { db -> (Bool, [String])? in
                guard let user = try UserRepository.find(email: email, in: db) else { return nil }
                return (user.hasPassword, try SocialAccountRepository.forUser(user.id, in: db).map(\.provider))
            }
            let linked = (ways?.1 ?? []).compactMap { id in social.registry.entry(id).flatMap { $0.isEnabled ? $0 : nil } }
            let canMail = services.accounts.canSendMail
            if canMail { merge = ["email": .string(email), "next": .string(next)] }
            if !linked.isEmpty {
                others = ["next": .string(next),
                          "providers": .list(linked.map(BrandMarks.button))]
            }
            var offered: [String] = []
            if ways?.0 ?? false { offered.append("with its password") }
            if !linked.isEmpty { offered.append("with " + Self.either(linked.map(\.displayName))) }
            if canMail { offered.append("with a code we email to that address") }
            inUseAdvice = offered.isEmpty ? "If it is yours, reset its password from the sign-in page, then connect \(name) from your account page."
                : "If it is yours, sign in to it \(Self.either(offered)), then connect \(name) from your account page."
        }
        let (status, title, message): (HTTPStatus, String, String) = switch error {
        case .cancelled:
            connecting ? (.ok, "Connecting cancelled", "You cancelled connecting \(name). Nothing was changed.")
                : (.ok, "Sign-in cancelled", "You cancelled signing in with \(name). Nothing was changed.")
        case .invalidState, .missingCode:
            // The state is unknown, so is what it started: the words fit either.
            (.badRequest, "This sign-in link is not valid", "It was already used, or it was started in another browser. Please start again.")
        case .expiredState:
            connecting ? (.badRequest, "This connect link has expired", "Connecting must finish within ten minutes. Please start again.")
                : (.badRequest, "This sign-in link has expired", "Sign-in links are valid for ten minutes. Please start again.")
        case .providerRejected, .tokenRejected:
            (.badRequest, connecting ? "\(name) refused the connection" : "\(name) refused the sign-in", "\(name) did not accept the request. Please start again.")
        case .providerUnavailable:
            (.badGateway, "\(name) is not answering properly", "We could not reach \(name), or it did not answer in time, so we stopped \(doing) it. "
             + "Nothing was changed. Please try again in a moment\(connecting ? "." : ", or use another way to sign in.")")
        case .invalidProfile, .invalidIDToken:
            (.badGateway, "\(name) is not answering properly", "We could not finish \(doing) \(name). Please try again in a moment.")
        case .emailBelongsToExistingAccount(_, let email):
            (.conflict, "An account with this email already exists", "An account uses \(email), the address \(name) gave us. " + inUseAdvice)
        case .linkedToAnotherUser:
            (.conflict, "Already linked to another account", "That \(name) account is already linked to another Latchkey account. Sign in with it to use that account, or disconnect it there first.")
        case .accountDisabled:
            (.forbidden, "Account disabled", "The account linked to this \(name) login has been disabled.")
        case .unknownProvider:
            (.notFound, "Unknown provider", "There is no sign-in provider by that name here.")
        case .lastSignInMethod, .wrongAudience, .invalidToken:
            (.badRequest, connecting ? "Connecting failed" : "Sign-in failed", "Please start again.")
        }
        return try Page(context, title: title, ["heading": .string(title), "message": .string(message), "providerName": .string(name),
                                                "merge": merge, "others": others])
            .view("site/auth-error", status: status).response(for: request, context: context)
    }

    /// "a", "a or b", "a, b or c".
    static func either(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
