/// Adds the security headers every HTML page needs: a Content-Security-Policy without inline
/// script, `X-Frame-Options: DENY`, `Referrer-Policy: same-origin`, and `X-Content-Type-Options:
/// nosniff` (on every response), plus HSTS when the site is served over HTTPS.
public struct SecurityHeadersMiddleware: Middleware {
    /// The policy: our own scripts and styles only; images may come from providers (avatars).
    /// No `form-action`: browsers apply it to the redirect that follows `POST /auth/:provider`,
    /// which must reach the provider's own origin.
    public static let defaultPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        + "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"

    private let policy: String
    private let hsts: Bool

    /// Security headers with `policy`; `hsts` adds `Strict-Transport-Security` (HTTPS only).
    public init(policy: String = SecurityHeadersMiddleware.defaultPolicy, hsts: Bool = false) {
        self.policy = policy
        self.hsts = hsts
    }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        do {
            var response = try await next.respond(to: request, context: context)
            apply(to: &response.headers)
            return response
        } catch var error as HTTPError {
            apply(to: &error.headers)
            throw error
        }
    }

    private func apply(to headers: inout HTTPHeaders) {
        headers.set("X-Content-Type-Options", "nosniff")
        if hsts { headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains") }
        guard headers["Content-Type"]?.hasPrefix("text/html") ?? false else { return }
        headers.set("Content-Security-Policy", policy)
        headers.set("X-Frame-Options", "DENY")
        headers.set("Referrer-Policy", "same-origin")
    }
}
