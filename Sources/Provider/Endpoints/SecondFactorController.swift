import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// The sign-in step after the password, for accounts with a second factor, and the step-up an
/// authorization request asks for (`acr_values=2`): a code from the authenticator app or a
/// recovery code. Only a session in the half-signed-in state (`SecondFactorPending`) gets here;
/// a right code signs the account in with a new session id.
struct SecondFactorController {
    static let path = "/login/second-factor"
    let services: ProviderServices

    func register(on router: Router) {
        router.get(Self.path, use: show)
        router.post(Self.path, use: submit)
    }

    @Sendable func show(_ request: Request, context: RequestContext) async throws -> Response {
        guard let pending = try pending(context) else { return startOver(context) }
        let method = ProviderSecondFactors.Method(rawValue: try request.query()["method"] ?? "") ?? .totp
        return try await page(context, pending: pending, method: method, error: nil).response(for: request, context: context)
    }

    @Sendable func submit(_ request: Request, context: RequestContext) async throws -> Response {
        guard let pending = try pending(context) else { return startOver(context) }
        let form = try request.form()
        let method = ProviderSecondFactors.Method(rawValue: form["method"] ?? "") ?? .totp
        let code = String((form["code"] ?? "").prefix(64))
        let check = try await services.secondFactors.telling(services.mail(context).secondFactorNotice).verify(userID: pending.userID, method: method, code: code)
        switch check {
        case .accepted:
            pending.complete(with: .oneTimePassword, now: services.clock.now(), in: context.session)
            AccountController.signedIn(context, factor: method.rawValue)
            if method == .recovery {
                let left = try await services.secondFactors.summary(userID: pending.userID).recoveryCodesLeft
                context.session.flash(context.translator.plural(
                    one: "You used a recovery code; {{count}} left. Make new ones on your security page if you are running low.",
                    other: "You used a recovery code; {{count}} left. Make new ones on your security page if you are running low.", count: left),
                                      kind: left < 3 ? "error" : "info")
            }
            return Response(status: .seeOther, headers: ["Location": pending.next ?? "/"])
        case .notEnrolled:
            // The factor was removed meanwhile (or never was): the password alone is not enough
            // here, so start again; the form will then do what the account now needs.
            SecondFactorPending.clear(in: context.session)
            return startOver(context)
        case .throttled(let wait):
            context.logger.warning("second_factor_throttled", ["user_id": pending.userID])
            return try await page(context, pending: pending, method: method, error: Self.tooManyCodes(wait, context.translator),
                            status: .tooManyRequests).response(for: request, context: context).setting(["Retry-After": String(wait)])
        case .wrong, .alreadyUsed:
            context.logger.info("second_factor_refused", ["user_id": pending.userID, "factor": method.rawValue, "check": "\(check)"])
            let translator = context.translator
            let message = switch (method, check) {
            case (.totp, .alreadyUsed): translator.text("That code was used already. Wait for the next one.")
            case (.totp, _): translator.text("That code is not right. Check the time on your device, or use a recovery code.")
            case (.recovery, .alreadyUsed): translator.text("That recovery code was used already.")
            case (.recovery, _): translator.text("That is not one of your recovery codes.")
            }
            return try await page(context, pending: pending, method: method, error: message, status: .unprocessableContent).response(for: request, context: context)
        }
    }

    /// The live pending sign-in (`load` forgets an expired one).
    private func pending(_ context: RequestContext) throws -> SecondFactorPending? {
        SecondFactorPending.load(from: context.session, now: services.clock.now())
    }

    private func startOver(_ context: RequestContext) -> Response {
        context.session.flash(context.translator.text("Sign in again to continue."), kind: "info")
        return Response(status: .seeOther, headers: ["Location": "/login"])
    }

    private func page(_ context: RequestContext, pending: SecondFactorPending, method: ProviderSecondFactors.Method, error: String?,
                      status: HTTPStatus = .ok) async throws -> View {
        let summary = try await services.secondFactors.summary(userID: pending.userID)
        return Page(context, title: context.translator.text("Second step"), [
            "recovery": .bool(method == .recovery),
            "passkeys": .bool(!summary.passkeys.isEmpty),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("provider/second_factor", status: status)
    }

    /// "Too many wrong codes", with the wait in whole minutes (also the device and security pages').
    static func tooManyCodes(_ wait: Int, _ translator: Translator) -> String {
        translator.plural(one: "Too many wrong codes. Try again in {{count}} minute.", other: "Too many wrong codes. Try again in {{count}} minutes.",
                          count: (wait + 59) / 60)
    }
}
