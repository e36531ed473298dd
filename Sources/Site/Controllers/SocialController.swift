import Accounts
import IdentityWeb
import Localization
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
        guard let entry = social.registry.entry(id), entry.isEnabled else { throw HTTPError(.notFound, context.translator.text("There is no sign-in provider called \"{{name}}\" here.", ["name": String(id.prefix(40))])) }
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
        guard let entry = social.registry.entry(id), entry.isEnabled else { throw HTTPError(.notFound, context.translator.text("There is no sign-in provider called \"{{name}}\" here.", ["name": String(id.prefix(40))])) }
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
                    greeting: created ? context.translator.text("Welcome, {{username}}! Your account was created with {{provider}}.",
                                                                 ["username": user.username, "provider": entry.displayName])
                                      : context.translator.text("Signed in with {{provider}}.", ["provider": entry.displayName]), context: context)
                // The provider's sub and sid, so its back-channel logout can end this session.
                context.session[BackchannelLogoutReceiver.sessionKey] = idClaims.flatMap { BackchannelLogoutReceiver.sessionValue(provider: id, claims: $0) }
                return Response(status: .seeOther, headers: ["Location": location])
            case .connected(_, _, let returnTo):
                context.session.flash(context.translator.text("{{provider}} is now connected to your account.", ["provider": entry.displayName]), kind: "success")
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
            throw HTTPError(.notFound, context.translator.text("That linked account does not exist."))
        }
        let name = social.registry.entry(account.provider)?.displayName ?? account.provider
        let login = account.login ?? account.email ?? account.name
        let translator = context.translator
        let noLonger = if let login {
            translator.text("You can no longer sign in with this {{provider}} account ({{login}}).", ["provider": name, "login": login])
        } else {
            translator.text("You can no longer sign in with this {{provider}} account.", ["provider": name])
        }
        return Confirmation(translator.text("Disconnect {{provider}}?", ["provider": name]),
                            consequences: [noLonger,
                                           translator.text("We delete its tokens here and ask {{provider}} to revoke them.", ["provider": name]),
                                           translator.text("You can connect {{provider}} again at any time.", ["provider": name])],
                            button: translator.text("Disconnect {{provider}}", ["provider": name]), cancel: "/account")
    }

    @Sendable func disconnect(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser, let accountID = context.parameters["id"].flatMap({ Int64($0) }) else {
            throw HTTPError(.notFound, context.translator.text("That linked account does not exist."))
        }
        do {
            let (account, upstream) = try await social.disconnect(accountID: accountID, userID: user.id,
                                                                  ip: request.clientIP(trustedProxies: services.configuration.trustedProxies),
                                                                  notice: SiteMail(request, context, services: services).notice)
            if let upstream {
                context.logger.warning("upstream_revoke_failed", ["provider": account.provider, "error": upstream])
            }
            let name = social.registry.entry(account.provider)?.displayName ?? account.provider
            context.session.flash(context.translator.text("{{provider}} has been disconnected from your account.", ["provider": name]), kind: "success")
        } catch let error as HTTPError where error.status == .notFound {
            // The core's refusal (the account went away meanwhile), in the reader's words.
            throw HTTPError(.notFound, context.translator.text("That linked account does not exist."))
        } catch SocialAuthError.lastSignInMethod {
            context.session.flash(context.translator.text("You cannot disconnect your only way to sign in. Set a password or connect another provider first."),
                                  kind: "error")
        }
        return Response(status: .seeOther, headers: ["Location": "/account"])
    }

    /// The page people see when social sign-in (or connecting) fails: what happened, in their
    /// words, and what they can do next. Never a 500, never a blank page.
    private func failure(_ error: SocialAuthError, providerName name: String, intent: SocialAuthService.Intent,
                         request: Request, context: RequestContext) async throws -> Response {
        let connecting = if case .connect = intent { true } else { false }
        let translator = context.translator, named = ["provider": name]
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
            if ways?.0 ?? false { offered.append(translator.text("with its password")) }
            if !linked.isEmpty { offered.append(translator.text("with {{providers}}", ["providers": Self.either(linked.map(\.displayName), translator)])) }
            if canMail { offered.append(translator.text("with a code we email to that address")) }
            inUseAdvice = offered.isEmpty
                ? translator.text("If it is yours, reset its password from the sign-in page, then connect {{provider}} from your account page.", named)
                : translator.text("If it is yours, sign in to it {{ways}}, then connect {{provider}} from your account page.",
                         ["ways": Self.either(offered, translator), "provider": name])
        }
        let (status, title, message): (HTTPStatus, String, String) = switch error {
        case .cancelled:
            connecting ? (.ok, translator.text("Connecting cancelled"), translator.text("You cancelled connecting {{provider}}. Nothing was changed.", named))
                : (.ok, translator.text("Sign-in cancelled"), translator.text("You cancelled signing in with {{provider}}. Nothing was changed.", named))
        case .invalidState, .missingCode:
            // The state is unknown, so is what it started: the words fit either.
            (.badRequest, translator.text("This sign-in link is not valid"), translator.text("It was already used, or it was started in another browser. Please start again."))
        case .expiredState:
            connecting ? (.badRequest, translator.text("This connect link has expired"), translator.text("Connecting must finish within ten minutes. Please start again."))
                : (.badRequest, translator.text("This sign-in link has expired"), translator.text("Sign-in links are valid for ten minutes. Please start again."))
        case .providerRejected, .tokenRejected:
            (.badRequest, connecting ? translator.text("{{provider}} refused the connection", named) : translator.text("{{provider}} refused the sign-in", named),
             translator.text("{{provider}} did not accept the request. Please start again.", named))
        case .providerUnavailable:
            (.badGateway, translator.text("{{provider}} is not answering properly", named), connecting
             ? translator.text("We could not reach {{provider}}, or it did not answer in time, so we stopped connecting it. Nothing was changed. Please try again in a moment.", named)
             : translator.text("We could not reach {{provider}}, or it did not answer in time, so we stopped signing in with it. Nothing was changed. Please try again in a moment, or use another way to sign in.", named))
        case .invalidProfile, .invalidIDToken:
            (.badGateway, translator.text("{{provider}} is not answering properly", named), connecting
             ? translator.text("We could not finish connecting {{provider}}. Please try again in a moment.", named)
             : translator.text("We could not finish signing in with {{provider}}. Please try again in a moment.", named))
        case .emailBelongsToExistingAccount(_, let email):
            (.conflict, translator.text("An account with this email already exists"),
             translator.text("An account uses {{email}}, the address {{provider}} gave us.", ["email": email, "provider": name]) + " " + inUseAdvice)
        case .linkedToAnotherUser:
            (.conflict, translator.text("Already linked to another account"),
             translator.text("That {{provider}} account is already linked to another Latchkey account. Sign in with it to use that account, or disconnect it there first.", named))
        case .accountDisabled:
            (.forbidden, translator.text("Account disabled"), translator.text("The account linked to this {{provider}} login has been disabled.", named))
        case .unknownProvider:
            (.notFound, translator.text("Unknown provider"), translator.text("There is no sign-in provider by that name here."))
        case .lastSignInMethod, .wrongAudience, .invalidToken:
            (.badRequest, connecting ? translator.text("Connecting failed") : translator.text("Sign-in failed"), translator.text("Please start again."))
        }
        return try Page(context, title: title, ["heading": .string(title), "message": .string(message), "providerName": .string(name),
                                                "merge": merge, "others": others])
            .view("site/auth-error", status: status).response(for: request, context: context)
    }

    /// "a", "a or b", "a, b or c" (the "or" in `translator`'s language).
    static func either(_ items: [String], _ translator: Translator = .english) -> String {
        guard items.count > 1 else { return items.joined() }
        return translator.text("{{first}} or {{last}}", ["first": items.dropLast().joined(separator: ", "), "last": items.last!])
    }
}
