import Identity
import IdentityWeb
import Mustache
import Web

/// `/account/apps`, "Apps you have authorized": each client the signed-in user has consented to
/// or that holds their tokens, and revoking one (asked first, without JavaScript). Another
/// user's app, or a client this user never authorized, is a 404 at the question already.
struct AppsPageController {
    let services: ProviderServices

    func register(on router: Router) {
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.get("/apps", use: list)
        account.post("/apps/:id/revoke", use: ConfirmationPages.provider.confirming(askRevoke, then: revoke))
    }

    @Sendable func list(_ request: Request, context: RequestContext) async throws -> View {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let apps = try await services.authorizedApps.list(userID: user.id)
        return Page(context, title: context.translator.text("Apps you have authorized"), [
            "apps": .list(apps.map { app in
                [
                    "clientID": .string(app.clientID), "name": .string(app.name),
                    "scopes": .list(app.scope.values.map { scope in
                        ["name": .string(scope), "description": .string(AuthorizeController.scopeDescription(scope, context.translator))]
                    }),
                    "lastUsed": .string(context.translator.dateTime(app.lastUsedAt)),
                ]
            }),
            "hasApps": .bool(!apps.isEmpty),
        ]).view("provider/apps")
    }

    @Sendable func askRevoke(_ request: Request, context: RequestContext) async throws -> Confirmation {
        let app = try await authorizedApp(context)
        let translator = context.translator
        return Confirmation(translator.text("Revoke access for “{{name}}”?", ["name": app.name]),
                            consequences: [translator.text("{{name}} can no longer use your account: its access and refresh tokens stop working at once.",
                                                           ["name": app.name]),
                                           translator.text("If you sign in to it with Latchkey ID again, you will be asked to allow it again.")],
                            button: translator.text("Revoke access"), cancel: "/account/apps")
    }

    @Sendable func revoke(_ request: Request, context: RequestContext) async throws -> Redirect {
        let app = try await authorizedApp(context)
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        _ = try await services.authorizedApps.revoke(userID: user.id, clientID: app.clientID)
        context.logger.info("app_revoked", ["client_id": app.clientID, "user_id": user.id])
        context.session.flash(context.translator.text("{{name}} no longer has access to your account.", ["name": app.name]), kind: "success")
        return Redirect(to: "/account/apps")
    }

    /// The signed-in user's app named in the path; 404 for anything else.
    private func authorizedApp(_ context: RequestContext) async throws -> AuthorizedApp {
        guard let user = context.currentUser, let id = context.parameters["id"],
              let app = try await services.authorizedApps.find(userID: user.id, clientID: id) else {
            throw HTTPError(.notFound, context.translator.text("You have not authorized that app."))
        }
        return app
    }
}
