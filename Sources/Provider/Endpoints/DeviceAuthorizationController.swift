import Web

/// `POST /oauth/device_authorization` (RFC 8628 §3.1–§3.2): a client allowed the device grant
/// authenticates as at the token endpoint (a public client by `client_id`) and gets a device
/// code to poll with and a user code for the person to type on `/device`.
struct DeviceAuthorizationController {
    let services: ProviderServices

    func register(on router: Router) {
        router.post("/oauth/device_authorization", use: start)
    }

    @Sendable func start(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let form = try OAuthForm.parse(request)
            let client = try await services.clients.authenticate(request, form: form, realm: services.configuration.baseURL)
            guard client.allows(.deviceCode) else {
                throw OAuthError(.unauthorizedClient, "This client may not use the device authorization grant.")
            }
            let scope = try form.scope() ?? client.scopes
            if let extra = scope.values.first(where: { !client.scopes.contains($0) }) { throw GrantError.scopeNotAllowed(extra) }
            let started = try await services.devices.start(client: client, scope: scope)
            let base = services.configuration.baseURL + DevicePageController.path
            context.logger.info("device_authorization_started", ["client_id": client.clientID])
            return OAuthReply.json([
                "device_code": .string(started.deviceCode),
                "user_code": .string(started.userCode),
                "verification_uri": .string(base),
                "verification_uri_complete": .string(base + "?user_code=" + started.userCode),
                "expires_in": .int(DeviceAuthorizations.lifetime),
                "interval": .int(DeviceAuthorizations.interval),
            ])
        }
    }
}
