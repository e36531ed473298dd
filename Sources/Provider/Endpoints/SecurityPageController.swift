import Identity
import IdentityWeb
import Mustache
import Web

/// The account's second factor: set up an authenticator app (QR code and the secret as text,
/// then one code to confirm), see how many recovery codes are left, make new ones (shown once),
/// and turn the second factor off. Making codes and turning it off ask for the password again.
struct SecurityPageController {
    static let path = "/account/security"
    let services: ProviderServices

    func register(on router: Router) {
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.get("/security", use: show)
        account.post("/totp/setup", use: beginTOTP)
        account.post("/totp/confirm", use: confirmTOTP)
        account.post("/totp/remove", use: remove)
        account.post("/recovery-codes", use: regenerate)
    }

    /// The second factors, mailing notices written by this request's templates.
    private func factors(_ context: RequestContext) -> ProviderSecondFactors {
        services.secondFactors.telling(services.mail(context).secondFactorNotice)
    }

    @Sendable func show(_ request: Request, context: RequestContext) async throws -> Response {
        try await page(context).response(for: request, context: context)
    }

    @Sendable func beginTOTP(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        do {
            let enrollment = try await factors(context).beginTOTP(for: user)
            return try await page(context, enrollment: enrollment).response(for: request, context: context)
        } catch TOTPDevices.EnrollmentError.alreadyEnabled {
            context.session.flash(context.translator.text("Your authenticator app is already set up."), kind: "info")
            return Response(status: .seeOther, headers: ["Location": Self.path])
        }
    }

    @Sendable func confirmTOTP(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let code = String((try request.form()["code"] ?? "").prefix(64))
        let (check, codes) = try await factors(context).confirmTOTP(userID: user.id, code: code)
        switch check {
        case .accepted:
            context.logger.info("second_factor_enabled", ["user_id": user.id, "factor": "totp"])
            guard let codes else {
                context.session.flash(context.translator.text("Your authenticator app is set up."), kind: "success")
                return Response(status: .seeOther, headers: ["Location": Self.path])
            }
            context.session.flash(context.translator.text("Your authenticator app is set up. Save your recovery codes now."), kind: "success")
            return try await page(context, recoveryCodes: codes).response(for: request, context: context)
        case .notEnrolled:
            context.session.flash(context.translator.text("Start the set-up again: there is no authenticator app waiting for a code."), kind: "error")
            return Response(status: .seeOther, headers: ["Location": Self.path])
        case .throttled(let wait):
            context.session.flash(SecondFactorController.tooManyCodes(wait, context.translator), kind: "error")
            return Response(status: .seeOther, headers: ["Location": Self.path]).setting(["Retry-After": String(wait)])
        case .wrong, .alreadyUsed:
            context.session.flash(context.translator.text("That code is not right. Scan the QR code again (it is new) and enter the code it shows."), kind: "error")
            return Response(status: .seeOther, headers: ["Location": Self.path])
        }
    }

    @Sendable func regenerate(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        guard try await passwordConfirmed(request, user: user, context: context) else {
            return try await page(context, passwordError: context.translator.text("That is not your password."), status: .unprocessableContent)
                .response(for: request, context: context)
        }
        guard let codes = try await factors(context).regenerateRecoveryCodes(userID: user.id) else {
            context.session.flash(context.translator.text("Set up an authenticator app first; recovery codes stand in for it."), kind: "info")
            return Response(status: .seeOther, headers: ["Location": Self.path])
        }
        context.logger.info("recovery_codes_regenerated", ["user_id": user.id])
        context.session.flash(context.translator.text("New recovery codes: the old ones no longer work."), kind: "success")
        return try await page(context, recoveryCodes: codes).response(for: request, context: context)
    }

    @Sendable func remove(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        guard try await passwordConfirmed(request, user: user, context: context) else {
            return try await page(context, passwordError: context.translator.text("That is not your password."), status: .unprocessableContent)
                .response(for: request, context: context)
        }
        try await factors(context).removeAll(userID: user.id)
        context.logger.info("second_factor_removed", ["user_id": user.id])
        context.session.flash(context.translator.text("Your authenticator app and recovery codes are removed: signing in now takes only your password."), kind: "success")
        return Response(status: .seeOther, headers: ["Location": Self.path])
    }

    /// Whether the form's `current_password` is the user's (counted by the sign-in limits).
    private func passwordConfirmed(_ request: Request, user: ProviderUser, context: RequestContext) async throws -> Bool {
        let password = try request.form()["current_password"] ?? ""
        let ip = request.clientIP(trustedProxies: services.configuration.trustedProxies)
        if case .verified = try await services.users.signIn(username: user.username, password: password, ip: ip) { return true }
        return false
    }

    private func page(_ context: RequestContext, enrollment: TOTPDevices.Enrollment? = nil, recoveryCodes: [String]? = nil,
                      passwordError: String? = nil, status: HTTPStatus = .ok) async throws -> View {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let summary = try await factors(context).summary(userID: user.id)
        var recoveryCodes = recoveryCodes
        if recoveryCodes == nil, let stashed = context.session["_new_recovery_codes"] {
            // Made when the first passkey was added (a JSON call): shown here, once.
            context.session["_new_recovery_codes"] = nil
            recoveryCodes = stashed.split(separator: " ").map(String.init)
        }
        var setup: MustacheValue = .null
        if let enrollment {
            // The SVG is ours (paths and rects, no script), so it is inserted unescaped.
            setup = ["secret": .string(enrollment.secret), "qrSVG": enrollment.qrCode.map { .string($0.svg(label: context.translator.text("QR code of the set-up link for your authenticator app"))) } ?? .null,
                     "uri": .string(enrollment.uri)]
        }
        return Page(context, title: context.translator.text("Sign-in security"), [
            "enabled": .bool(summary.isEnabled),
            "hasApp": .bool(summary.hasApp),
            "pendingSetup": .bool(summary.totp == .pending && enrollment == nil),
            "passkeys": .list(summary.passkeys.map { passkey in
                ["id": .string(String(passkey.id)), "name": .string(passkey.name), "synced": .bool(passkey.backupEligible)]
            }),
            "recoveryLeft": .int(summary.recoveryCodesLeft),
            "setup": setup,
            "showCodes": .bool(recoveryCodes != nil),
            "recoveryCodes": recoveryCodes.map { .list($0.map(MustacheValue.string)) } ?? .null,
            "passwordError": passwordError.map(MustacheValue.string) ?? .null,
        ]).view("provider/security", status: status)
    }
}
