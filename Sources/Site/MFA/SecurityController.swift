import Accounts
import Identity
import IdentityWeb
import Mustache
import Security
import Web

/// The account page's "Security" section: passkeys (add, rename, remove), the authenticator
/// app (set up, confirm, turn off) and recovery codes (shown once, made anew). Every change
/// mails the account's address.
struct SecurityController {
    let services: SiteServices
    /// New recovery codes wait here for the one page that shows them, then are gone.
    static let newCodesKey = "mfa_new_codes"

    func register(on router: Router) {
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.post("/passkeys/options", use: registrationOptions)
        account.post("/passkeys", use: addPasskey)
        account.post("/passkeys/:id/rename", use: renamePasskey)
        account.post("/passkeys/:id/delete", use: ConfirmationPages.site.confirming(askRemovePasskey, then: removePasskey))
        account.get("/totp", use: appSetupPage)
        account.post("/totp", use: startApp)
        account.post("/totp/confirm", use: confirmApp)
        account.post("/totp/delete", use: ConfirmationPages.site.confirming(Self.askRemoveApp, then: removeApp))
        account.get("/recovery-codes", use: recoveryCodesPage)
        account.post("/recovery-codes", use: ConfirmationPages.site.confirming(Self.askRegenerateCodes, then: regenerateCodes))
    }

    private func security(_ request: Request, _ context: RequestContext) -> AccountSecurity {
        AccountSecurity(services: services, notice: SiteMail(request, context, services: services).notice)
    }

    private func signedIn(_ context: RequestContext) throws -> User {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        return user
    }

    /// Keeps fresh recovery codes for the page that shows them once; answers where that is.
    /// Sealed with the key ring and bound to the account, so the sessions table never holds
    /// them in clear, even for the moment between this redirect and that page.
    private func show(_ codes: [String]?, _ context: RequestContext, otherwise: String = "/account#security") -> String {
        guard let codes, let user = context.currentUser else { return otherwise }
        context.session[Self.newCodesKey] = services.keys.seal(codes.joined(separator: " "), purpose: Self.newCodesKey,
                                                               associatedData: Array("\(user.id)".utf8))
        return "/account/recovery-codes"
    }

    /// The codes `show` kept, taking them out of the session.
    private func takeNewCodes(_ context: RequestContext, user: User) -> [String] {
        defer { context.session[Self.newCodesKey] = nil }
        guard let sealed = context.session[Self.newCodesKey],
              let text = try? services.keys.openString(sealed, purpose: Self.newCodesKey, associatedData: Array("\(user.id)".utf8)) else {
            return []
        }
        return text.split(separator: " ").map(String.init)
    }

    // MARK: Passkeys

    @Sendable func registrationOptions(_ request: Request, context: RequestContext) async throws -> Response {
        let user = try signedIn(context)
        return try await PasskeyJSON.respond(context) {
            try PasskeyJSON.options(try await services.passkeys(for: request)
                .beginRegistration(userID: user.id, userName: user.username, displayName: user.username).options)
        }
    }

    /// The browser's new credential; `?name=` is what the person called it (by default the browser's name).
    @Sendable func addPasskey(_ request: Request, context: RequestContext) async throws -> Response {
        let user = try signedIn(context)
        return try await PasskeyJSON.respond(context) {
            let response = try PasskeyJSON.registration(request)
            let typed = IdentityRules.trimmed(try request.query()["name"] ?? "")
            let browser = request.headers["User-Agent"].map(Display.shortBrowser) ?? context.translator.text("this browser")
            let name = typed.isEmpty ? context.translator.text("Passkey ({{browser}})", ["browser": browser]) : typed
            let stored = try await PasskeyJSON.ceremony {
                try await services.passkeys(for: request).finishRegistration(userID: user.id, response: response, name: name)
            }
            let codes = try await security(request, context).passkeyAdded(stored, user: user)
            context.session.flash(context.translator.text("Added the passkey \u{201C}{{name}}\u{201D}.", ["name": stored.name]), kind: "success")
            return try PasskeyJSON.redirect(show(codes, context))
        }
    }

    @Sendable func renamePasskey(_ request: Request, context: RequestContext) async throws -> Redirect {
        let user = try signedIn(context)
        let name = IdentityRules.trimmed(try request.form()["name"] ?? "")
        guard !name.isEmpty else {
            context.session.flash(context.translator.text("A passkey needs a name."), kind: "error")
            return Redirect(to: "/account#security")
        }
        guard let id = context.parameters.int("id").map(Int64.init),
              try await security(request, context).renamePasskey(id: id, user: user, to: name) else {
            throw HTTPError(.notFound, context.translator.text("That passkey does not exist."))
        }
        context.session.flash(context.translator.text("Renamed the passkey."), kind: "success")
        return Redirect(to: "/account#security")
    }

    @Sendable func askRemovePasskey(_ request: Request, context: RequestContext) async throws -> Confirmation {
        let user = try signedIn(context)
        guard let id = context.parameters.int("id").map(Int64.init),
              let passkey = try await services.database.read({ db in try AccountSecurity.overview(userID: user.id, in: db) })
                .passkeys.first(where: { $0.id == id }) else {
            throw HTTPError(.notFound, context.translator.text("That passkey does not exist."))
        }
        let translator = context.translator
        return Confirmation(translator.text("Remove the passkey \u{201C}{{name}}\u{201D}?", ["name": passkey.name]),
                            consequences: [translator.text("It no longer signs you in here, though your device may still list it."),
                                           translator.text("If it is your last second factor, signing in no longer asks for one.")],
                            button: translator.text("Remove the passkey"), cancel: "/account#security")
    }

    @Sendable static func askRemoveApp(_ request: Request, context: RequestContext) async throws -> Confirmation {
        let translator = context.translator
        return Confirmation(translator.text("Turn off the authenticator app?"),
                            consequences: [translator.text("Its codes no longer work here; you can delete the entry in the app."),
                                           translator.text("If it is your last second factor, signing in no longer asks for one.")],
                            button: translator.text("Turn off the app"), cancel: "/account#security")
    }

    @Sendable static func askRegenerateCodes(_ request: Request, context: RequestContext) async throws -> Confirmation {
        let translator = context.translator
        return Confirmation(translator.text("Make new recovery codes?"),
                            consequences: [translator.text("Your current recovery codes stop working at once, used or not."),
                                           translator.text("The new ones are shown once, on the next page: keep them somewhere safe.")],
                            button: translator.text("Make new codes"), cancel: "/account#security")
    }

    @Sendable func removePasskey(_ request: Request, context: RequestContext) async throws -> Redirect {
        let user = try signedIn(context)
        guard let id = context.parameters.int("id").map(Int64.init),
              try await security(request, context).removePasskey(id: id, user: user) else {
            throw HTTPError(.notFound, context.translator.text("That passkey does not exist."))
        }
        context.session.flash(context.translator.text("Removed the passkey. It may still be listed on your device; it no longer works here."), kind: "success")
        return Redirect(to: "/account#security")
    }

    // MARK: Authenticator app

    @Sendable func startApp(_ request: Request, context: RequestContext) async throws -> Redirect {
        do {
            _ = try await security(request, context).startAuthenticatorApp(user: try signedIn(context))
        } catch TOTPDevices.EnrollmentError.alreadyEnabled {
            context.session.flash(context.translator.text("Your authenticator app is on already. Turn it off first to set up another."), kind: "error")
            return Redirect(to: "/account#security")
        }
        return Redirect(to: "/account/totp")
    }

    @Sendable func appSetupPage(_ request: Request, context: RequestContext) async throws -> Response {
        try await setupView(request, context, error: nil, status: .ok)
    }

    private func setupView(_ request: Request, _ context: RequestContext, error: String?, status: HTTPStatus) async throws -> Response {
        guard let enrollment = try await security(request, context).pendingAuthenticatorApp(user: try signedIn(context)) else {
            return Response(status: .seeOther, headers: ["Location": "/account#security"])
        }
        return try Page(context, title: context.translator.text("Set up an authenticator app"), [
            // The core's SVG: no script, no external reference, escaped nowhere else.
            "qrCode": enrollment.qrCode.map { .string($0.svg(label: context.translator.text("QR code of the set-up link for your authenticator app"))) } ?? .null,
            "secret": .string(enrollment.secret),
            "uri": .string(enrollment.uri),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("site/account-totp", status: status).response(for: request, context: context)
    }

    @Sendable func confirmApp(_ request: Request, context: RequestContext) async throws -> Response {
        let user = try signedIn(context)
        let code = String((try request.form()["code"] ?? "").prefix(64))
        let (check, codes) = try await security(request, context).confirmAuthenticatorApp(user: user, code: code)
        switch check {
        case .accepted:
            context.session.flash(context.translator.text("Your authenticator app is on: signing in now asks for one of its codes."), kind: "success")
            return Response(status: .seeOther, headers: ["Location": show(codes, context)])
        case .notEnrolled:
            return Response(status: .seeOther, headers: ["Location": "/account#security"])
        case .wrong, .alreadyUsed:
            return try await setupView(request, context, error: context.translator.text("That code is not right. Check the time on your phone and try the next one."),
                                       status: .unprocessableContent)
        case .throttled(let retryAfter):
            let wait = context.translator.plural(one: "Too many wrong codes. Try again in {{count}} minute.",
                                                 other: "Too many wrong codes. Try again in {{count}} minutes.", count: max(1, retryAfter / 60))
            return try await setupView(request, context, error: wait,
                                       status: .tooManyRequests).setting(["Retry-After": String(retryAfter)])
        }
    }

    @Sendable func removeApp(_ request: Request, context: RequestContext) async throws -> Redirect {
        if try await security(request, context).removeAuthenticatorApp(user: try signedIn(context)) {
            context.session.flash(context.translator.text("Removed the authenticator app."), kind: "success")
        }
        return Redirect(to: "/account#security")
    }

    // MARK: Recovery codes

    @Sendable func regenerateCodes(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let codes = try await security(request, context).regenerateRecoveryCodes(user: try signedIn(context)) else {
            context.session.flash(context.translator.text("Recovery codes come with a passkey or an authenticator app: add one first."), kind: "error")
            return Redirect(to: "/account#security")
        }
        return Redirect(to: show(codes, context))
    }

    /// Shows new codes once (they are taken from the session), or what is left.
    @Sendable func recoveryCodesPage(_ request: Request, context: RequestContext) async throws -> Response {
        let user = try signedIn(context)
        let fresh = takeNewCodes(context, user: user)
        let left = try await services.database.read { db in try RecoveryCodes.remaining(userID: user.id, in: db) }
        return try Page(context, title: context.translator.text("Recovery codes"), [
            "codes": .list(fresh.map(MustacheValue.string)),
            "fresh": .bool(!fresh.isEmpty),
            "left": .int(left),
        ]).view("site/account-recovery-codes").response(for: request, context: context).setting(["Cache-Control": "no-store"])
    }
}
