import Identity
import IdentityWeb
import Mustache
import Web

/// `/admin/clients/:id/logout`: provider administrators set where a client may send people after
/// RP-initiated logout and where it receives back-channel logout tokens (as `latchkey clients
/// logout` does).
struct AdminClientLogoutController {
    let services: ProviderServices

    func register(on router: Router) {
        let admin = router.group("/admin", middleware: [RequireAdminMiddleware()])
        admin.get("/clients/:id/logout", use: show)
        admin.post("/clients/:id/logout", use: save)
    }

    @Sendable func show(_ request: Request, context: RequestContext) async throws -> View {
        let (client, settings) = try await load(context)
        return page(context, client: client, uris: settings.postLogoutRedirectURIs.joined(separator: "\n"),
                    backchannel: settings.backchannelLogoutURI ?? "", sessionRequired: settings.backchannelLogoutSessionRequired)
    }

    @Sendable func save(_ request: Request, context: RequestContext) async throws -> Response {
        let (client, _) = try await load(context)
        let form = try request.form()
        let uris = String((form["post_logout_redirect_uris"] ?? "").prefix(8_000))
        let backchannel = String((form["backchannel_logout_uri"] ?? "").prefix(2_000)).trimmingCharacters(in: .whitespaces)
        let settings = ClientLogoutSettings(
            postLogoutRedirectURIs: uris.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == " " }).map(String.init),
            backchannelLogoutURI: backchannel.isEmpty ? nil : backchannel,
            backchannelLogoutSessionRequired: form["backchannel_logout_session_required"] == "on")
        do {
            _ = try await services.clients.setLogoutSettings(client.clientID, settings)
        } catch let errors as FieldErrors {
            return try page(context, client: client, uris: uris, backchannel: backchannel,
                            sessionRequired: settings.backchannelLogoutSessionRequired, errors: errors, status: .unprocessableContent)
                .response(for: request, context: context)
        }
        context.logger.info("client_logout_settings", ["client_id": client.clientID, "by": context.currentUser?.id ?? 0])
        context.session.flash(context.translator.text("Logout settings of “{{name}}” saved.", ["name": client.name]), kind: "success")
        return Response(status: .seeOther, headers: ["Location": "/admin/clients"])
    }

    private func load(_ context: RequestContext) async throws -> (Client, ClientLogoutSettings) {
        guard let id = context.parameters["id"], let client = try await services.clients.find(id),
              let settings = try await services.clients.logoutSettings(id) else {
            throw HTTPError(.notFound, context.translator.text("That client no longer exists."))
        }
        return (client, settings)
    }

    private func page(_ context: RequestContext, client: Client, uris: String, backchannel: String, sessionRequired: Bool,
                      errors: FieldErrors = FieldErrors(), status: HTTPStatus = .ok) -> View {
        Page(context, title: context.translator.text("Logout settings"), [
            "client": MustacheValue(client),
            "uris": .string(uris), "backchannel": .string(backchannel), "sessionRequired": .bool(sessionRequired),
            "errors": errors.mustacheValue(context.translator),
        ]).view("provider/admin/client_logout", status: status)
    }
}
