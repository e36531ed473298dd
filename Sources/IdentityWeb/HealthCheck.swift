import Web

/// The health check both apps serve, for load balancers and platform probes: cheap, no
/// database, no session (the apps list `path` among the session middleware's exempt paths), so
/// it answers even while the database is down.
public enum HealthCheck {
    /// Where it is served.
    public static let path = "/healthz"

    /// Adds `GET /healthz` → `{"status":"ok"}`.
    public static func register(on router: Router) {
        router.get(path, use: respond)
    }

    @Sendable static func respond(_ request: Request, context: RequestContext) async throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: Array(#"{"status":"ok"}"#.utf8))
    }
}
