import Web

/// `POST /oauth/par` (RFC 9126 §2): the client authenticates as at the token endpoint and
/// pushes its authorization request, which is validated now (so a bad one is refused to the
/// client, not shown to a user) and kept for a minute under a fresh `request_uri`.
struct PushedAuthorizationController {
    let services: ProviderServices

    func register(on router: Router) {
        router.post("/oauth/par", use: push)
    }

    @Sendable func push(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let form = try OAuthForm.parse(request)
            let client = try await services.clients.authenticate(request, form: form, realm: services.configuration.baseURL)
            // §2.1: a pushed request cannot point at another pushed request.
            if form.fields["request_uri"] != nil { throw OAuthError(.invalidRequest, "request_uri must not be sent to the PAR endpoint.") }
            if form.fields["request"] != nil { throw OAuthError(.invalidRequest, "Request objects (request) are not supported.") }
            var parameters = form.fields
            if form["client_id"] == nil { parameters.append("client_id", client.clientID) }
            do {
                _ = try await AuthorizationRequest.validate(parameters, clients: services.clients, resources: services.tokens.resources)
            } catch let rejection as AuthorizationRequest.Rejection {
                throw OAuthError(rejection.reason)
            }
            let requestURI = try await services.pushedRequests.push(parameters, clientID: client.clientID)
            context.logger.info("authorization_request_pushed", ["client_id": client.clientID])
            return OAuthReply.json(["request_uri": .string(requestURI), "expires_in": .int(PushedRequests.lifetime)], status: .created)
        }
    }
}
