import Accounts
import Identity
import IdentityWeb
import Web

/// "Confirm it is you" with a second factor: a passkey (the same ceremony as signing in, bound
/// to the signed-in account) or a code from the authenticator app. Recovery codes are not
/// offered: they are for getting back in, and spending one to change a setting would leave the
/// person with fewer for the day they lose their phone.
extension ReauthenticationController {
    func registerSecondFactors(on group: RouterGroup) {
        group.post("/passkey/options", use: passkeyOptions)
        group.post("/passkey", use: passkey)
        group.post("/app", use: appCode)
    }

    @Sendable func passkeyOptions(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        return try await PasskeyJSON.respond(context) {
            try PasskeyJSON.options(try await services.passkeys(for: request).beginAuthentication(userID: user.id).options)
        }
    }

    @Sendable func passkey(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        return try await PasskeyJSON.respond(context) {
            let response = try PasskeyJSON.authentication(request)
            let signIn = try await PasskeyJSON.ceremony { try await services.passkeys(for: request).finishAuthentication(response) }
            guard signIn.userID == user.id else { throw PasskeyRequestError.anotherAccount }
            try await SecondFactorController(services: services).noteCounter(signIn, request, context)
            let next = LocalRedirect.path(try request.query()["next"])
            let done = finish(context, method: .hardwareKey, next: next)
            return try PasskeyJSON.redirect(done.headers["Location"] ?? "/account")
        }
    }

    @Sendable func appCode(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let form = try request.form()
        let next = LocalRedirect.path(form["next"])
        let security = AccountSecurity(services: services, notice: SiteMail(request, context, services: services).notice)
        let problem: String
        switch try await security.verifyAppCode(userID: user.id, code: String((form["code"] ?? "").prefix(64))) {
        case .accepted:
            return finish(context, method: .oneTimePassword, next: next)
        case .wrong, .notEnrolled:
            problem = context.translator.text("That code is not right. Please try the next one.")
        case .alreadyUsed:
            problem = context.translator.text("That code was used already. Wait for the next one.")
        case .throttled(let retryAfter):
            let wait = context.translator.plural(one: "Too many wrong codes. Try again in {{count}} minute.",
                                                 other: "Too many wrong codes. Try again in {{count}} minutes.", count: max(1, retryAfter / 60))
            return try await page(context, next: next, error: nil, appError: wait,
                                  status: .tooManyRequests).response(for: request, context: context).setting(["Retry-After": String(retryAfter)])
        }
        return try await page(context, next: next, error: nil, appError: problem, status: .unprocessableContent)
            .response(for: request, context: context)
    }
}
