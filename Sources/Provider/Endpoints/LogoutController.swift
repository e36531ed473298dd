import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// OpenID Connect RP-Initiated Logout 1.0: `end_session_endpoint` at `/oauth/logout` (GET and
/// POST, so exempt from the CSRF check: RPs send people here from their own pages). A request
/// that is clearly from the signed-in user's RP (a valid `id_token_hint` for this user and this
/// session) ends the session at once; anything else asks first, on a page whose form posts to
/// `/logout/confirm` (CSRF-checked). Ending the session tells the session's clients by
/// back-channel logout, in the background. A `post_logout_redirect_uri` must match one the
/// client registered exactly, or the answer is an error page, never a redirect.
struct LogoutController {
    let services: ProviderServices
    static let confirmPath = "/logout/confirm"

    func register(on router: Router) {
        router.get("/oauth/logout", use: endSession)
        router.post("/oauth/logout", use: endSession)
        router.post(Self.confirmPath, use: confirm)
    }

    /// What a logout request asked for, checked.
    struct Checked {
        var clientID: String?
        var redirect: String?
        var state: String?
        var hintSubject: String?
        var hintSID: String?
    }

    enum Refusal: Error {
        case repeated(String), badHint, clientMismatch, unknownClient, redirectWithoutClient, unregisteredRedirect
        var message: Message {
            switch self {
            case .repeated(let name): Message("This sign-out link is malformed: {{name}} appears more than once.", ["name": name])
            case .badHint: Message("This sign-out link carries an id_token that this provider did not issue or no longer accepts.")
            case .clientMismatch: Message("This sign-out link names one application in client_id and another in its id_token.")
            case .unknownClient: Message("This sign-out link names an application that is not registered with this provider.")
            case .redirectWithoutClient: Message("This sign-out link asks to return to an address but does not say which application it is for.")
            case .unregisteredRedirect:
                Message("This sign-out link would send you to an address the application has not registered for sign-out, so it was stopped.")
            }
        }
    }

    @Sendable func endSession(_ request: Request, context: RequestContext) async throws -> Response {
        let parameters = request.method == .post ? try request.form() : try request.query()
        let checked = try await check(parameters, context: context)
        guard let user = context.currentUser else { return finish(checked) }
        let clearlyFromTheRP = checked.hintSubject == user.subject
            && (checked.hintSID == nil || checked.hintSID == LogoutSessions.existingSID(of: context.session))
        if clearlyFromTheRP { return await end(checked, context: context) }
        var clientName: MustacheValue = .null
        if let id = checked.clientID, let client = try await services.clients.find(id) { clientName = .string(client.name) }
        var fields: [MustacheValue] = []
        for (name, value) in [("client_id", checked.clientID), ("post_logout_redirect_uri", checked.redirect), ("state", checked.state)] {
            if let value { fields.append(["name": .string(name), "value": .string(value)]) }
        }
        var response = try Page(context, title: context.translator.text("Sign out of Latchkey ID?"), [
            "clientName": clientName,
            "fields": .list(fields),
            "action": .string(Self.confirmPath),
        ]).view("provider/logout").response(for: request, context: context)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// The signed-in user said yes on the question page.
    @Sendable func confirm(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        // The page carried only what was checked already; check it again, it came back from a browser.
        var parameters = FormData([])
        for name in ["client_id", "post_logout_redirect_uri", "state"] { for value in form.all(name) { parameters.append(name, value) } }
        let checked = try await check(parameters, context: context)
        guard context.currentUser != nil else { return finish(checked) }
        return await end(checked, context: context)
    }

    private func check(_ parameters: FormData, context: RequestContext) async throws -> Checked {
        do {
            for name in ["id_token_hint", "client_id", "post_logout_redirect_uri", "state", "logout_hint"] where parameters.all(name).count > 1 {
                throw Refusal.repeated(name)
            }
            var checked = Checked(clientID: parameters["client_id"].flatMap { $0.isEmpty ? nil : $0 },
                                  redirect: parameters["post_logout_redirect_uri"].flatMap { $0.isEmpty ? nil : $0 },
                                  state: parameters["state"].map { String($0.prefix(2_000)) })
            if let hint = parameters["id_token_hint"], !hint.isEmpty {
                guard let claims = services.tokens.idTokens.verifyHint(hint, now: services.clock.now()),
                      let audience = claims.audience.first else { throw Refusal.badHint }
                if let named = checked.clientID, named != audience { throw Refusal.clientMismatch }
                checked.clientID = audience
                checked.hintSubject = claims.string("sub")
                checked.hintSID = claims.string("sid")
            }
            if let redirect = checked.redirect {
                guard let clientID = checked.clientID else { throw Refusal.redirectWithoutClient }
                guard let settings = try await services.clients.logoutSettings(clientID) else { throw Refusal.unknownClient }
                guard settings.postLogoutRedirectURIs.contains(redirect) else { throw Refusal.unregisteredRedirect }
            } else if let clientID = checked.clientID, try await services.clients.find(clientID) == nil {
                throw Refusal.unknownClient
            }
            return checked
        } catch let refusal as Refusal {
            throw HTTPError(.badRequest, context.translator.text(refusal.message))
        }
    }

    /// Ends the provider session, tells its clients in the background, and goes back.
    private func end(_ checked: Checked, context: RequestContext) async -> Response {
        if let userID = context.session.userID {
            let sid = LogoutSessions.existingSID(of: context.session)
            context.session.destroy()
            context.logger.info("end_session", ["user_id": userID, "client_id": checked.clientID ?? "-"])
            if let sid {
                let backchannel = services.backchannelLogout, logger = context.logger
                Task { await backchannel.notify(sid: sid, userID: userID, logger: logger) }
            }
        }
        return finish(checked)
    }

    private func finish(_ checked: Checked) -> Response {
        guard let redirect = checked.redirect else {
            return Response(status: .seeOther, headers: ["Location": "/?signed_out=1", "Cache-Control": "no-store"])
        }
        var location = redirect
        if let state = checked.state { location += (redirect.contains("?") ? "&" : "?") + FormData([("state", state)]).encoded }
        return Response(status: .seeOther, headers: ["Location": location, "Cache-Control": "no-store"])
    }
}
