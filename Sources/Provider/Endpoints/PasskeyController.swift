import Identity
import IdentityWeb
import Security
import Web

/// Passkeys: registering one from the security page, using one on the second-factor page, and
/// signing in with one alone from the sign-in page (a button, and the browser's autofill on the
/// username field). The page's script (`/js/passkeys.js`) asks for options, hands them to
/// `navigator.credentials`, and posts the browser's `toJSON()` back; every answer is JSON. Every
/// refusal reads the same to the visitor; the log names the case.
struct PasskeyController {
    let services: ProviderServices

    func register(on router: Router) {
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.post("/passkeys/options", use: registrationOptions)
        account.post("/passkeys", use: add)
        account.post("/passkeys/:id/delete", use: ConfirmationPages.provider.confirming(askDelete, then: delete))
        router.post(SecondFactorController.path + "/passkey/options", use: signInOptions)
        router.post(SecondFactorController.path + "/passkey", use: signIn)
        router.post("/login/passkey/options", use: passwordlessOptions)
        router.post("/login/passkey", use: passwordless)
    }

    /// Passkey sign-ins started per client address per minute: each stores a challenge and the
    /// sign-in page starts one on every visit (for autofill), so generous but finite.
    static let passwordlessStartLimit = RateLimit("provider_passkey_sign_in", limit: 60, window: 60)

    /// The second factors, mailing notices written by this request's templates.
    private func factors(_ context: RequestContext) -> ProviderSecondFactors {
        services.secondFactors.telling(services.mail(context).secondFactorNotice)
    }

    /// A JSON answer the script reads (`error` to show, or `redirect` to follow), never cached.
    private static func reply(_ body: JSONValue, status: HTTPStatus = .ok, _ request: Request, _ context: RequestContext) throws -> Response {
        var response = try JSON(body, status: status).response(for: request, context: context)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    @Sendable func registrationOptions(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let start = try await factors(context).passkeys.beginRegistration(userID: user.id, userName: user.username, displayName: user.displayName)
        return try Self.reply(start.options, request, context)
    }

    @Sendable func add(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let name = String((try request.query()["name"] ?? "").prefix(100))
        do {
            let response = try RegistrationResponse(json: request.body)
            let codes = try await factors(context).addPasskey(userID: user.id, response: response, name: name)
            context.logger.info("second_factor_enabled", ["user_id": user.id, "factor": "passkey"])
            if let codes {
                // Shown once, by the page the script goes to next.
                context.session["_new_recovery_codes"] = codes.joined(separator: " ")
            }
            context.session.flash(context.translator.text("Your passkey is added."), kind: "success")
            return try Self.reply(["redirect": .string(SecurityPageController.path)], request, context)
        } catch let error as PasskeyError {
            context.logger.info("passkey_refused", ["user_id": user.id, "reason": "\(error)"])
            return try Self.reply(["error": .string(context.translator.text("That passkey could not be added. Try again."))], status: .badRequest, request, context)
        } catch let error as WebAuthnError {
            context.logger.info("passkey_refused", ["user_id": user.id, "reason": "\(error)"])
            return try Self.reply(["error": .string(context.translator.text("That passkey could not be added. Try again."))], status: .badRequest, request, context)
        }
    }

    @Sendable func askDelete(_ request: Request, context: RequestContext) async throws -> Confirmation {
        guard let user = context.currentUser, let id = context.parameters["id"].flatMap({ Int64($0) }),
              let passkey = try await factors(context).summary(userID: user.id).passkeys.first(where: { $0.id == id }) else {
            throw HTTPError(.notFound)
        }
        let translator = context.translator
        return Confirmation(translator.text("Remove the passkey “{{name}}”?", ["name": passkey.name]),
                            consequences: [translator.text("It no longer signs you in to Latchkey ID, though your device may still list it.")],
                            button: translator.text("Remove the passkey"), cancel: SecurityPageController.path)
    }

    @Sendable func delete(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        guard let id = context.parameters["id"].flatMap({ Int64($0) }), try await factors(context).deletePasskey(id: id, userID: user.id) else {
            throw HTTPError(.notFound)
        }
        context.logger.info("passkey_removed", ["user_id": user.id])
        context.session.flash(context.translator.text("The passkey is removed."), kind: "success")
        return Redirect(to: SecurityPageController.path)
    }

    @Sendable func signInOptions(_ request: Request, context: RequestContext) async throws -> Response {
        guard let pending = SecondFactorPending.load(from: context.session, now: services.clock.now()) else {
            return try Self.reply(["error": .string(context.translator.text("Sign in again to continue."))], status: .unauthorized, request, context)
        }
        let start = try await factors(context).passkeys.beginAuthentication(userID: pending.userID)
        return try Self.reply(start.options, request, context)
    }

    @Sendable func signIn(_ request: Request, context: RequestContext) async throws -> Response {
        guard let pending = SecondFactorPending.load(from: context.session, now: services.clock.now()) else {
            return try Self.reply(["error": .string(context.translator.text("Sign in again to continue."))], status: .unauthorized, request, context)
        }
        do {
            let method = try await factors(context).verifyPasskey(userID: pending.userID, response: try AuthenticationResponse(json: request.body))
            pending.complete(with: AuthenticationMethod(rawValue: method), now: services.clock.now(), in: context.session)
            AccountController.signedIn(context, factor: "passkey")
            return try Self.reply(["redirect": .string(pending.next ?? "/")], request, context)
        } catch let error as PasskeyError {
            context.logger.info("passkey_refused", ["user_id": pending.userID, "reason": "\(error)"])
            return try Self.reply(["error": .string(context.translator.text("That passkey did not work. Try again, or use another way."))], status: .badRequest, request, context)
        } catch let error as WebAuthnError {
            context.logger.info("passkey_refused", ["user_id": pending.userID, "reason": "\(error)"])
            return try Self.reply(["error": .string(context.translator.text("That passkey did not work. Try again, or use another way."))], status: .badRequest, request, context)
        }
    }

    // MARK: A passkey alone

    @Sendable func passwordlessOptions(_ request: Request, context: RequestContext) async throws -> Response {
        let ip = request.clientIP(trustedProxies: services.configuration.trustedProxies), now = services.clock.now()
        if let wait = try await services.database.write({ db in try Self.passwordlessStartLimit.hit(ip, now: now, in: db) }) {
            var response = try Self.reply(["error": .string(context.translator.text("Too many attempts from your address. Wait a minute."))],
                                          status: .tooManyRequests, request, context)
            response.headers.set("Retry-After", String(wait))
            return response
        }
        let start = try await factors(context).passwordless.beginAuthentication(userID: nil)
        return try Self.reply(start.options, request, context)
    }

    /// Signs in (a new session id), recording the passkey and `mfa`: possession of the key plus
    /// the owner's verification by it. `next` may be an authorization request waiting.
    @Sendable func passwordless(_ request: Request, context: RequestContext) async throws -> Response {
        let refusal = context.translator.text("That passkey did not work. Try again, or sign in with your password.")
        do {
            let (userID, method) = try await factors(context).signInWithPasskey(response: try AuthenticationResponse(json: request.body))
            guard let user = try await services.users.find(id: userID) else {
                context.logger.info("passkey_refused", ["user_id": userID, "reason": "account gone"])
                return try Self.reply(["error": .string(refusal)], status: .forbidden, request, context)
            }
            AccountController.completeSignIn(userID: user.id, methods: [AuthenticationMethod(rawValue: method), .multiFactor],
                                             now: services.clock.now(), context: context)
            context.session.flash(context.translator.text("Signed in as {{username}} with a passkey.", ["username": user.username]), kind: "success")
            return try Self.reply(["redirect": .string(ReturnPath.validated(try request.query()["next"]) ?? "/")], request, context)
        } catch let error as PasskeyError {
            context.logger.info("passkey_refused", ["reason": "\(error)"])
            return try Self.reply(["error": .string(refusal)], status: .badRequest, request, context)
        } catch let error as WebAuthnError {
            context.logger.info("passkey_refused", ["reason": "\(error)"])
            return try Self.reply(["error": .string(refusal)], status: .badRequest, request, context)
        }
    }
}
