import Accounts
import Foundation
import Identity
import IdentityWeb
import Mustache
import Web

/// Leaving: "Download your data" (`GET /account/export`, JSON as an attachment) and "Delete
/// my account" (`GET` a confirmation page, `POST` to delete; both need a recent sign-in, see
/// `ReauthenticationPolicy`). The work is `AccountLifecycle`'s.
struct AccountLifecycleController {
    let services: SiteServices

    func register(on router: Router) {
        let account = router.group("/account", middleware: [RequireUserMiddleware()])
        account.get("/export", use: export)
        account.get("/delete", use: confirmation)
        account.post("/delete", use: delete)
    }

    @Sendable func export(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let export = try await services.lifecycle.export(user, currentSession: context.session.loadedIDHash)
        let date = Clock.formatDate(services.clock.now())
        context.logger.info("account_exported")
        return Response(status: .ok, headers: [
            "Content-Type": "application/json; charset=utf-8",
            // Usernames are letters, digits and ._- only: nothing to escape in the file name.
            "Content-Disposition": "attachment; filename=\"latchkey-\(user.username)-\(date).json\"",
            "Cache-Control": "no-store",
        ], body: try AccountLifecycle.json(export))
    }

    @Sendable func confirmation(_ request: Request, context: RequestContext) async throws -> Response {
        try page(context, error: nil, status: .ok).response(for: request, context: context)
    }

    private func page(_ context: RequestContext, error: String?, status: HTTPStatus) throws -> View {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        return Page(context, title: context.translator.text("Delete your account"), [
            "user": MustacheValue(user),
            "error": error.map(MustacheValue.string) ?? .null,
        ]).view("site/account-delete", status: status)
    }

    @Sendable func delete(_ request: Request, context: RequestContext) async throws -> Response {
        guard let user = context.currentUser else { throw HTTPError(.unauthorized) }
        let typed = try request.form()["confirm"] ?? ""
        guard IdentityRules.key(IdentityRules.trimmed(typed)) == IdentityRules.key(user.username) else {
            return try page(context, error: context.translator.text("Type your username, {{username}}, to confirm.", ["username": user.username]),
                            status: .unprocessableContent)
                .response(for: request, context: context)
        }
        let deletion: AccountLifecycle.Deletion
        do {
            deletion = try await services.lifecycle.delete(user, ip: request.clientIP(trustedProxies: services.configuration.trustedProxies),
                                                           notice: SiteMail(request, context, services: services).notice)
        } catch AccountLifecycle.Refusal.lastAdministrator {
            return try page(context, error: context.translator.text("You are the only administrator, so the site would have none. Make someone else an administrator first."),
                            status: .conflict).response(for: request, context: context)
        } catch AccountLifecycle.Refusal.alreadyDeleted {
            context.session.destroy()
            return Response(status: .seeOther, headers: ["Location": "/"])
        }
        for failure in deletion.upstreamFailures {
            context.logger.warning("upstream_revoke_failed", ["provider": failure.provider, "error": failure.error])
        }
        context.logger.info("account_deleted", ["linked": String(deletion.linkedAccounts), "sessions": String(deletion.sessions),
                                                "api_tokens": String(deletion.apiTokens)])
        context.session.destroy()
        // Rendered, not redirected: the session that could carry a message is gone.
        return try Page(context, title: context.translator.text("Account deleted"), currentUser: .null, ["username": .string(user.username)])
            .view("site/account-deleted").response(for: request, context: context)
    }
}
