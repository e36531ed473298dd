/// Redirects plain-HTTP requests to HTTPS (308, so a POST stays a POST), for deployments behind
/// a TLS-terminating router. Whether a request was HTTPS is only known from a trusted proxy's
/// `X-Forwarded-Proto`. `exemptPaths` (an app's health check) are not redirected: platform
/// routers probe over plain HTTP.
public struct ForceHTTPSMiddleware: Middleware {
    private let trustedProxies: Int
    private let canonicalHost: String?
    private let exemptPaths: Set<String>

    /// Redirects to `https://<canonicalHost or the request's host>`.
    public init(trustedProxies: Int, canonicalHost: String?, exemptPaths: Set<String> = []) {
        self.trustedProxies = trustedProxies
        self.canonicalHost = canonicalHost
        self.exemptPaths = exemptPaths
    }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard request.forwardedScheme(trustedProxies: trustedProxies) != "https", !exemptPaths.contains(request.path),
              let host = canonicalHost ?? request.forwardedHost(trustedProxies: trustedProxies) else {
            return try await next.respond(to: request, context: context)
        }
        return Response(status: .permanentRedirect, headers: ["Location": "https://\(host)\(request.head.target)"])
    }
}
