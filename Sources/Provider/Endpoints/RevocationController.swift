import Security
import Web

/// `POST /oauth/revoke` (RFC 7009) and `POST /oauth/introspect` (RFC 7662): what a client (or a
/// resource server, itself a registered client) may do with a token it holds.
struct RevocationController {
    let services: ProviderServices

    func register(on router: Router) {
        router.post("/oauth/revoke", use: revoke)
        router.post("/oauth/introspect", use: introspect)
    }

    /// Always 200 once the client is authenticated, whether or not the token existed (§2.2).
    @Sendable func revoke(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let form = try OAuthForm.parse(request)
            let client = try await services.clients.authenticate(request, form: form, realm: services.configuration.baseURL)
            try await services.tokens.revoke(try form.required("token"), hint: Self.hint(form), client: client)
            return Response(status: .ok, headers: ["Cache-Control": "no-store", "Pragma": "no-cache"])
        }
    }

    /// Only confidential clients may introspect: a public client's "authentication" is a bare
    /// client id, which would let anyone probe tokens. A client learns only about its own tokens
    /// unless it is registered as a resource server; anything else reads `active: false`, the
    /// same as an unknown token (RFC 7662 §2.2), so nothing leaks about other clients' tokens.
    @Sendable func introspect(_ request: Request, context: RequestContext) async throws -> Response {
        await OAuthReply.run(context) {
            let form = try OAuthForm.parse(request)
            let client = try await services.clients.authenticate(request, form: form, realm: services.configuration.baseURL)
            guard client.isConfidential else {
                throw OAuthError(.invalidClient, "Only confidential clients may introspect tokens.", status: .unauthorized)
            }
            let token = try form.required("token")
            guard let description = try await services.tokens.describe(token, hint: Self.hint(form)),
                  client.mayInspect(tokenOf: description.clientID) else {
                return OAuthReply.json(["active": false])
            }
            var fields: [String: JSONValue] = [
                "active": true,
                "scope": .string(description.scope.description),
                "client_id": .string(description.clientID),
                "token_type": .string(description.kind == .refreshToken ? "refresh_token" : description.dpopKey == nil ? "Bearer" : "DPoP"),
                "exp": .int(description.expiresAt),
                "iat": .int(description.issuedAt),
                "iss": .string(services.configuration.baseURL),
                "aud": description.audience.count == 1 ? .string(description.audience[0]) : .array(description.audience.map(JSONValue.string)),
            ]
            // RFC 9449 §6.2: the key a bound token must be presented with.
            if let key = description.dpopKey { fields["cnf"] = ["jkt": .string(key)] }
            if let user = description.user {
                fields["sub"] = .string(user.subject)
                fields["username"] = .string(user.username)
            }
            return OAuthReply.json(.object(fields))
        }
    }

    /// `token_type_hint`; values we do not know are ignored, as RFC 7009 §2.1 allows.
    static func hint(_ form: OAuthForm) -> TokenDescription.Kind? {
        form["token_type_hint"].flatMap(TokenDescription.Kind.init(rawValue:))
    }
}
