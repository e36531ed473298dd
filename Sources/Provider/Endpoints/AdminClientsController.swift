import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// `/admin/clients`: provider administrators list, register and delete clients. A new client's
/// secret is shown once, on the page that answers the creation, and never again.
struct AdminClientsController {
    let services: ProviderServices

    func register(on router: Router) {
        let admin = router.group("/admin", middleware: [RequireAdminMiddleware()])
        admin.get("/clients", use: list)
        admin.post("/clients", use: create)
        admin.post("/clients/:id/delete", use: ConfirmationPages.provider.confirming(askDelete, then: delete))
    }

    @Sendable func list(_ request: Request, context: RequestContext) async throws -> View {
        try await page(context, typed: Self.defaults, errors: FieldErrors())
    }

    @Sendable func create(_ request: Request, context: RequestContext) async throws -> Response {
        let form = try request.form()
        let uris = (form["redirect_uris"] ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == " " }).map(String.init)
        let grants = Set(form.all("grant_types").compactMap(GrantType.init(rawValue:)))
        let scopeText = form["scopes"] ?? ""
        guard let scopes = ScopeSet(parsing: scopeText) else {
            return try await page(context, typed: Self.typed(form), errors: FieldErrors("scopes", Message("Use scope names separated by spaces.")),
                                  status: .unprocessableContent).response(for: request, context: context)
        }
        let new = NewClient(name: form["name"] ?? "", redirectURIs: uris, grantTypes: grants, scopes: scopes,
                            isConfidential: form["confidential"] == "on", skipsConsent: form["skip_consent"] == "on",
                            isResourceServer: form["resource_server"] == "on", requiresPKCE: form["require_pkce"] == "on",
                            requiresPushedRequests: form["require_par"] == "on",
                            accessTokenFormat: form["jwt_access_tokens"] == "on" ? .jwt : .opaque)
        do {
            let registered = try await services.clients.register(new)
            context.logger.info("client_registered", ["client_id": registered.client.clientID, "by": context.currentUser?.id ?? 0])
            if new.enablesPasswordGrant {
                context.logger.warning("password_grant_enabled", ["client_id": registered.client.clientID, "by": context.currentUser?.id ?? 0,
                                                                  "rfc": "9700 2.4"])
            }
            var response = try Page(context, title: context.translator.text("Client registered"), [
                "client": MustacheValue(registered.client),
                "secret": registered.secret.map(MustacheValue.string) ?? .null,
                "passwordWarning": new.enablesPasswordGrant
                    ? .string(context.translator.text("Warning: {{warning}}", ["warning": context.translator.text(GrantType.passwordGrantWarningMessage)])) : .null,
            ]).view("provider/admin/client_created", status: .created).response(for: request, context: context)
            response.headers.set("Cache-Control", "no-store")
            return response
        } catch let errors as FieldErrors {
            return try await page(context, typed: Self.typed(form), errors: errors, status: .unprocessableContent)
                .response(for: request, context: context)
        }
    }

    /// Deleting a client ends every sign-in through it: said before it happens.
    @Sendable func askDelete(_ request: Request, context: RequestContext) async throws -> Confirmation {
        guard let id = context.parameters["id"], let client = try await services.clients.find(id) else {
            throw HTTPError(.notFound, context.translator.text("That client no longer exists."))
        }
        let translator = context.translator
        return Confirmation(translator.text("Delete the client “{{name}}”?", ["name": client.name]),
                            consequences: [translator.text("Every access and refresh token issued to it stops working at once, and its consents are removed."),
                                           translator.text("The application using client ID {{id}} can no longer sign anyone in.", ["id": client.clientID]),
                                           translator.text("This cannot be undone: registering it again gives it a new ID and secret.")],
                            button: translator.text("Delete the client"), cancel: "/admin/clients")
    }

    @Sendable func delete(_ request: Request, context: RequestContext) async throws -> Redirect {
        guard let id = context.parameters["id"] else { throw HTTPError(.notFound) }
        if try await services.clients.remove(id) {
            context.logger.info("client_removed", ["client_id": id, "by": context.currentUser?.id ?? 0])
            context.session.flash(context.translator.text("The client was deleted, with every token issued to it."), kind: "success")
        } else {
            context.session.flash(context.translator.text("That client no longer exists."), kind: "error")
        }
        return Redirect(to: "/admin/clients")
    }

    private func page(_ context: RequestContext, typed: [String: MustacheValue], errors: FieldErrors, status: HTTPStatus = .ok) async throws -> View {
        let clients = try await services.clients.all()
        return Page(context, title: context.translator.text("Clients"), [
            "clients": .list(clients.map { MustacheValue($0) }),
            "hasClients": .bool(!clients.isEmpty),
            "form": MustacheValue(typed),
            "errors": errors.mustacheValue(context.translator),
        ]).view("provider/admin/clients", status: status)
    }

    /// The form as first shown: a confidential web application signing users in.
    static let defaults: [String: MustacheValue] = [
        "scopes": .string(ScopeSet.standard.joined(separator: " ")), "confidential": true, "require_pkce": true,
        "grants": grantBoxes(checked: GrantType.defaultForNewClients),
    ]

    /// One checkbox per grant the provider implements, in declaration order.
    static func grantBoxes(checked: Set<GrantType>) -> MustacheValue {
        .list(GrantType.allCases.map { ["value": .string($0.rawValue), "checked": .bool(checked.contains($0))] })
    }

    /// What was typed, to fill the form again after a refusal.
    private static func typed(_ form: FormData) -> [String: MustacheValue] {
        let grants = Set(form.all("grant_types").compactMap(GrantType.init(rawValue:)))
        return [
            "name": .string(String((form["name"] ?? "").prefix(200))),
            "redirect_uris": .string(String((form["redirect_uris"] ?? "").prefix(4000))),
            "scopes": .string(String((form["scopes"] ?? "").prefix(500))),
            "confidential": .bool(form["confidential"] == "on"),
            "skip_consent": .bool(form["skip_consent"] == "on"),
            "resource_server": .bool(form["resource_server"] == "on"),
            "jwt_access_tokens": .bool(form["jwt_access_tokens"] == "on"),
            "require_pkce": .bool(form["require_pkce"] == "on"),
            "require_par": .bool(form["require_par"] == "on"),
            "grants": grantBoxes(checked: grants),
        ]
    }
}
