import IdentityWeb
import Localization
import Mustache
import Web

/// `/oauth/authorize` (RFC 6749 §4.1.1–§4.1.2): GET validates the request, sends anonymous
/// visitors to sign in first, and shows the consent page unless consent is already on record
/// (or the client skips it); POST takes the user's decision, behind the CSRF check.
struct AuthorizeController {
    let services: ProviderServices

    func register(on router: Router) {
        router.get("/oauth/authorize", use: show)
        router.post("/oauth/authorize", use: decide)
    }

    @Sendable func show(_ request: Request, context: RequestContext) async throws -> Response {
        var parameters = try request.query()
        let pushed = parameters["request_uri"] != nil
        if let requestURI = parameters["request_uri"] { parameters = try await redeem(requestURI, parameters: parameters, context: context) }
        let authorization: AuthorizationRequest
        do {
            authorization = try await AuthorizationRequest.validate(parameters, clients: services.clients, resources: services.tokens.resources)
        } catch let rejection as AuthorizationRequest.Rejection {
            return try reject(rejection, context: context)
        }
        // A redeemed request_uri is used up: sign-in and reauthentication come back to the
        // resolved request, which the session's note lets through for a client requiring PAR.
        let target: String
        if pushed {
            PushedContinuation.record(authorization, in: context.session)
            target = PushedContinuation.target(authorization)
        } else {
            if let refusal = requirePushed(authorization, context: context) { return refusal }
            target = request.head.target
        }
        guard let user = context.currentUser, let record = SignInRecord.read(context.session) else {
            if authorization.prompt.contains("none") { return try reject(authorization, .loginRequired, context: context) }
            return Self.signInRedirect(to: target)
        }
        if let detour = try await authenticate(authorization, user: user, record: record, target: target, context: context) {
            return detour
        }
        let consented = try await services.consents.covers(userID: user.id, clientID: authorization.client.clientID, scope: authorization.scope)
        if authorization.client.skipsConsent || (consented && !authorization.prompt.contains("consent")) {
            return try await approve(authorization, user: user, record: record, context: context)
        }
        if authorization.prompt.contains("none") { return try reject(authorization, .consentRequired, context: context) }
        return try consentPage(authorization, context: context).response(for: request, context: context)
    }

    /// The parameters pushed under `requestURI` (RFC 9126 §4): only those count, and only for
    /// the client that pushed them; anything wrong is a page, since no redirect URI is known yet.
    private func redeem(_ requestURI: String, parameters: FormData, context: RequestContext) async throws -> FormData {
        guard parameters.all("request_uri").count == 1, let clientID = parameters["client_id"], parameters.all("client_id").count == 1 else {
            throw HTTPError(.badRequest, context.translator.text(Self.pageMessage(.missingClientID)))
        }
        do {
            return try await services.pushedRequests.redeem(requestURI, clientID: clientID)
        } catch let refusal as PushedRequests.Refusal {
            throw HTTPError(.badRequest, context.translator.text(Self.pushedMessage(refusal)))
        }
    }

    /// The refusal of a plain request from a client that requires pushed ones, unless this
    /// session redeemed a pushed request that resolved to exactly it.
    private func requirePushed(_ authorization: AuthorizationRequest, context: RequestContext) -> Response? {
        guard authorization.client.requiresPushedRequests, !PushedContinuation.covers(authorization, in: context.session) else { return nil }
        return try? reject(authorization, .pushedRequestRequired, context: context)
    }

    /// `303 → /login?next=<target>`, when the target is one sign-in may return to.
    static func signInRedirect(to target: String) -> Response {
        var location = "/login"
        if let path = ReturnPath.validated(target) { location += "?next=" + FormData.encode(path) }
        return Response(status: .seeOther, headers: ["Location": location])
    }

    @Sendable func decide(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let authorization: AuthorizationRequest
        do {
            authorization = try await AuthorizationRequest.validate(form, clients: services.clients, resources: services.tokens.resources)
        } catch let rejection as AuthorizationRequest.Rejection {
            return try reject(rejection, context: context)
        }
        if let refusal = requirePushed(authorization, context: context) { return refusal }
        guard let user = context.currentUser, let record = SignInRecord.read(context.session) else {
            // The session ended between showing the page and the click: sign in, then ask again.
            return Self.signInRedirect(to: PushedContinuation.target(authorization))
        }
        PushedContinuation.clear(context.session)
        guard form["decision"] == "allow" else {
            context.logger.info("authorization_denied", ["client_id": authorization.client.clientID])
            return try reject(authorization, .accessDenied, context: context)
        }
        try await services.consents.record(userID: user.id, clientID: authorization.client.clientID, scope: authorization.scope)
        return try await approve(authorization, user: user, record: record, context: context)
    }

    /// Sends the visitor to sign in again or to give a second factor when the request asks for a
    /// fresher or stronger sign-in than the session's (`prompt=login`, `max_age`, `acr_values`),
    /// then back here; with `prompt=none`, answers `login_required` instead. Nil: go on.
    private func authenticate(_ authorization: AuthorizationRequest, user: ProviderUser, record: SignInRecord, target: String,
                              context: RequestContext) async throws -> Response? {
        let session = context.session, now = services.clock.now()
        let reauthenticated = Reauthentication.consume(target, in: session)
        let hasSecondFactor = authorization.acrValues.isEmpty ? false : try await services.secondFactors.isEnabled(userID: user.id)
        let need = AuthenticationNeed.of(authorization, record: record, hasSecondFactor: hasSecondFactor, reauthenticated: reauthenticated,
                                         now: now)
        if need == .satisfied { return nil }
        if authorization.prompt.contains("none") { return try reject(authorization, .loginRequired, context: context) }
        context.logger.info("authorization_needs_sign_in", ["client_id": authorization.client.clientID, "need": "\(need)"])
        switch need {
        case .satisfied:
            return nil
        case .signIn:
            Reauthentication.request(target, in: session)
            return Self.signInRedirect(to: target)
        case .secondFactor:
            SecondFactorPending(userID: user.id, methods: record.methods.map(AuthenticationMethod.init(rawValue:)), startedAt: now, next: ReturnPath.validated(target)).save(in: session)
            return Response(status: .seeOther, headers: ["Location": SecondFactorController.path])
        }
    }

    /// Issues a code and sends it to the client (§4.1.2), with `state` and the issuer (RFC 9207).
    /// The code carries when and how the user signed in, for the id_token's `auth_time`, `amr`
    /// and `acr`.
    private func approve(_ authorization: AuthorizationRequest, user: ProviderUser, record: SignInRecord,
                         context: RequestContext) async throws -> Response {
        let code = try await services.tokens.issueCode(for: authorization, userID: user.id, authTime: record.time, methods: record.methods,
                                                       sid: LogoutSessions.sid(of: context.session, userID: user.id))
        PushedContinuation.clear(context.session)
        context.logger.info("authorization_granted", ["client_id": authorization.client.clientID])
        return redirect(to: authorization.redirectURI, [("code", code)], state: authorization.state)
    }

    private func reject(_ authorization: AuthorizationRequest, _ reason: AuthorizationRequestError, context: RequestContext) throws -> Response {
        try reject(AuthorizationRequest.Rejection(reason: reason, redirectURI: authorization.redirectURI, state: authorization.state),
                   context: context)
    }

    /// Sends a refusal to the client, or, when the redirect URI cannot be trusted, shows it on
    /// an error page instead (§4.1.2.1: "MUST NOT automatically redirect"), in the reader's
    /// language; what goes to the client stays the RFC's English.
    private func reject(_ rejection: AuthorizationRequest.Rejection, context: RequestContext) throws -> Response {
        guard rejection.reason.isRedirectable, let uri = rejection.redirectURI else {
            throw HTTPError(.badRequest, context.translator.text(Self.pageMessage(rejection.reason)))
        }
        let error = OAuthError(rejection.reason)
        return redirect(to: uri, [("error", error.code.rawValue), ("error_description", error.description)], state: rejection.state)
    }

    private func redirect(to uri: String, _ parameters: [(String, String)], state: String?) -> Response {
        var query = FormData(parameters)
        if let state { query.append("state", state) }
        query.append("iss", services.configuration.baseURL)
        let separator = uri.contains("?") ? "&" : "?"
        return Response(status: .found, headers: ["Location": uri + separator + query.encoded, "Cache-Control": "no-store"])
    }

    private func consentPage(_ authorization: AuthorizationRequest, context: RequestContext) throws -> View {
        let scopes: [MustacheValue] = authorization.scope.values.map { scope in
            ["name": .string(scope), "description": .string(Self.scopeDescription(scope, context.translator))]
        }
        let fields: [MustacheValue] = authorization.formFields.map { ["name": .string($0.name), "value": .string($0.value)] }
        let host = URLHost.of(authorization.redirectURI)
        return Page(context, title: context.translator.text("Allow {{name}}?", ["name": authorization.client.name]), [
            "client": MustacheValue(authorization.client),
            "scopes": .list(scopes),
            "fields": .list(fields),
            "returnHost": .string(host),
        ]).view("provider/consent")
    }

    static func pushedMessage(_ refusal: PushedRequests.Refusal) -> Message {
        switch refusal {
        case .unknown: Message("This sign-in link refers to a request this provider does not know.")
        case .expired: Message("This sign-in link has expired. Go back to the application and start again.")
        case .used: Message("This sign-in link was already used. Go back to the application and start again.")
        case .otherClient: Message("This sign-in link was made for another application, so it was stopped.")
        }
    }

    /// What granting `scope` lets an application do, as the consent, device and apps pages say it.
    static func scopeDescription(_ scope: String, _ translator: Translator) -> String {
        switch scope {
        case "openid": translator.text("Know who you are on this provider (your account number)")
        case "profile": translator.text("See your username and name")
        case "email": translator.text("See your email address and whether it is verified")
        default: translator.text("Use the “{{scope}}” permission", ["scope": scope])
        }
    }

    static func pageMessage(_ reason: AuthorizationRequestError) -> Message {
        switch reason {
        case .missingClientID: Message("This sign-in link does not say which application it is for (client_id is missing).")
        case .unknownClient: Message("This sign-in link names an application that is not registered with this provider.")
        case .duplicateClientParameter(let name): Message("This sign-in link is malformed: {{name}} appears more than once.", ["name": name])
        case .missingRedirectURI: Message("This sign-in link does not say where to return (redirect_uri is missing).")
        case .redirectURIMismatch:
            Message("This sign-in link would send you to an address the application has not registered, so it was stopped.")
        default: Message("This sign-in request is not valid.")
        }
    }
}
