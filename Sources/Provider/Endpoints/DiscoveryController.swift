import Security
import Web

/// Server metadata (RFC 8414), OpenID Connect Discovery and the JWK Set. Public documents that
/// change only with the configuration, so they may be cached briefly.
struct DiscoveryController {
    let services: ProviderServices

    func register(on router: Router) {
        router.get("/.well-known/oauth-authorization-server", use: metadata)
        router.get("/.well-known/openid-configuration", use: metadata)
        router.get("/.well-known/jwks.json", use: jwks)
        router.get(ProtectedResourceMetadata.path, use: protectedResource)
    }

    /// RFC 9728 §3: the metadata of our resource endpoints (userinfo, `/api/profile`).
    @Sendable func protectedResource(_ request: Request, context: RequestContext) async throws -> Response {
        try Self.cacheable(JSON(ProtectedResourceMetadata.document(issuer: services.configuration.baseURL)), request: request, context: context)
    }

    @Sendable func metadata(_ request: Request, context: RequestContext) async throws -> Response {
        try Self.cacheable(JSON(ProviderMetadata.document(issuer: services.configuration.baseURL, resources: services.tokens.resources,
                                                          registration: services.configuration.registration != .off)),
                           request: request, context: context)
    }

    /// Read fresh at every request: a key another process rotated in is published at once.
    @Sendable func jwks(_ request: Request, context: RequestContext) async throws -> Response {
        try await services.signingKeys.refresh()
        return try Self.cacheable(JSON(services.signingKeys.published), request: request, context: context)
    }

    private static func cacheable(_ body: some ResponseGenerator, request: Request, context: RequestContext) throws -> Response {
        var response = try body.response(for: request, context: context)
        response.headers.set("Cache-Control", "public, max-age=300")
        return response
    }
}
