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
            let realm = services.configuration.baseURL
            let cached = try await services.clients.authenticate(request, form: form, realm: realm, cached: true)
            let grantName = try form.required("grant_type")
            guard let grant = GrantType(rawValue: grantName) else {
                throw OAuthError(.unsupportedGrantType, "The grant type \(OAuthError.printable(grantName)) is not supported.")
            }
            // RFC 9449 §5: a proof binds the tokens to its key. Checked once: its `jti` is spent.
            let dpopKey: String?
            do { dpopKey = try await services.dpop.proof(in: request)?.thumbprint } catch let refusal as DPoPRefusal {
                throw OAuthError(refusal, atResource: false)
            }
            let client: Client, tokens: IssuedTokens
            do {
                (client, tokens) = (cached, try await issue(grant, to: cached, form: form, request: request, dpopKey: dpopKey))
            } catch GrantError.clientChanged {
                // The remembered client is stale (`ClientCache`); nothing was issued. Read it again.
                services.clients.cache.forget(cached.clientID)
                client = try await services.clients.authenticate(request, form: form, realm: realm)
                tokens = try await issue(grant, to: client, form: form, request: request, dpopKey: dpopKey)
            }
            context.logger.info("token_issued", ["client_id": client.clientID, "grant": grant.rawValue])
            var reply = OAuthReply.json(tokens.json)
            // With server nonces on, every reply hands out the current one (RFC 9449 §8.2).
            if let nonce = services.dpop.currentNonce() { reply.headers.set("DPoP-Nonce", nonce) }
            return reply
        }
    }

    /// Runs `grant` for `client`.
    private func issue(_ grant: GrantType, to client: Client, form: OAuthForm, request: Request, dpopKey: String?) async throws -> IssuedTokens {
        guard client.allows(grant) else {
            throw OAuthError(.unauthorizedClient, "This client may not use the \(grant.rawValue) grant.")
        }
        switch grant {
        case .authorizationCode:
            return try await services.tokens.exchangeCode(try form.required("code"), client: client, redirectURI: form["redirect_uri"],
                                                          verifier: form["code_verifier"], resources: form.resources, dpopKey: dpopKey)
        case .refreshToken:
            return try await services.tokens.refresh(try form.required("refresh_token"), client: client, scope: try form.scope(),
                                                     resources: form.resources, dpopKey: dpopKey)
        case .clientCredentials:
            return try await services.tokens.clientCredentials(client: client, scope: try form.scope(), resources: form.resources,
                                                               dpopKey: dpopKey)
        case .deviceCode:
            return try await services.devices.poll(try form.required("device_code"), client: client, resources: form.resources,
                                                   dpopKey: dpopKey)
        case .password:
            return try await services.tokens.password(client: client, username: try form.required("username"),
                                                      password: try form.required("password"), scope: try form.scope(),
                                                      ip: request.clientIP(trustedProxies: services.configuration.trustedProxies),
                                                      resources: form.resources, dpopKey: dpopKey)
        }
    }
}
