import Web

/// `POST /oauth/token` (RFC 6749 §3.2): every grant the provider implements.
struct TokenController {
    let services: ProviderServices

    func register(on router: Router) {
        router.post("/oauth/token", use: token)
    }

    @Sendable func token(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let form = try OAuthForm.parse(request)
            let client = try await services.clients.authenticate(request, form: form, realm: services.configuration.baseURL)
            let grantName = try form.required("grant_type")
            guard let grant = GrantType(rawValue: grantName) else {
                throw OAuthError(.unsupportedGrantType, "The grant type \(OAuthError.printable(grantName)) is not supported.")
            }
            guard client.allows(grant) else {
                throw OAuthError(.unauthorizedClient, "This client may not use the \(grant.rawValue) grant.")
            }
            let tokens: IssuedTokens
            switch grant {
            case .authorizationCode:
                tokens = try await services.tokens.exchangeCode(try form.required("code"), client: client, redirectURI: form["redirect_uri"],
                                                                verifier: form["code_verifier"])
            case .refreshToken:
                tokens = try await services.tokens.refresh(try form.required("refresh_token"), client: client, scope: try form.scope())
            case .clientCredentials:
                tokens = try await services.tokens.clientCredentials(client: client, scope: try form.scope())
            case .deviceCode:
                tokens = try await services.devices.poll(try form.required("device_code"), client: client)
            case .password:
                tokens = try await services.tokens.password(client: client, username: try form.required("username"),
                                                            password: try form.required("password"), scope: try form.scope(),
                                                            ip: request.clientIP(trustedProxies: services.configuration.trustedProxies))
            }
            context.logger.info("token_issued", ["client_id": client.clientID, "grant": grant.rawValue])
            return OAuthReply.json(tokens.json)
        }
    }
}
