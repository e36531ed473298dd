import Accounts
import Security
import Web

/// `POST /auth/sibling/backchannel-logout`: Latchkey ID tells the site that a sign-in's
/// provider session ended (OpenID Connect Back-Channel Logout 1.0 §2.5-2.8), with a
/// `logout_token`; the site ends the sessions that sign-in created. Called by the provider's
/// server, never a browser: no cookie, no CSRF token (exempt in `SiteApplication`).
struct BackchannelLogoutController {
    let services: SiteServices
    static let path = "/auth/sibling/backchannel-logout"

    func register(on router: Router) {
        router.post(Self.path, use: receive)
    }

    @Sendable func receive(_ request: Request, context: RequestContext) async throws -> Response {
        guard let entry = services.social.registry.entry("sibling"), entry.isEnabled else {
            throw HTTPError(.notFound, "Latchkey ID is not configured here.")
        }
        let form = try request.form()
        let tokens = form.all("logout_token")
        guard tokens.count == 1, let token = tokens.first, !token.isEmpty else {
            return refuse("send exactly one logout_token, form-encoded", context: context)
        }
        let receiver = BackchannelLogoutReceiver(social: services.social, database: services.database, now: { [clock = services.clock] in clock.now() })
        do {
            let ended = try await receiver.receive(token, provider: "sibling")
            context.logger.info("backchannel_logout", ["provider": "sibling", "sessions_ended": ended])
            return Response(status: .ok, headers: ["Cache-Control": "no-store"])
        } catch let refusal as BackchannelLogoutReceiver.Refusal {
            return refuse(refusal.description, context: context)
        }
    }

    /// §2.8: 400 with an OAuth-style error body.
    private func refuse(_ description: String, context: RequestContext) -> Response {
        context.logger.warning("backchannel_logout_refused", ["provider": "sibling", "reason": description])
        let body: JSONValue = ["error": "invalid_request", "error_description": .string(description)]
        return Response(status: .badRequest, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"],
                        body: body.sortedCompactJSON ?? Array("{}".utf8))
    }
}
