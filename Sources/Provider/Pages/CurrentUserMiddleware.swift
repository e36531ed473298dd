import Web

/// The context key for the signed-in provider user.
enum CurrentUserKey: ContextKey {
    typealias Value = ProviderUser
}

extension RequestContext {
    /// The signed-in user, if any (requires `CurrentUserMiddleware`).
    var currentUser: ProviderUser? { self[CurrentUserKey.self] }
}

/// Loads the signed-in user named by the session; a session whose user was deleted counts as
/// signed out.
struct CurrentUserMiddleware: Middleware {
    let services: ProviderServices

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        if let id = context.session.userID, let user = try await services.users.find(id: id) {
            context[CurrentUserKey.self] = user
            context.logger = context.logger.with("user_id", String(user.id))
        }
        return try await next.respond(to: request, context: context)
    }
}

/// Admin-only routes: 403 for signed-in non-admins, the sign-in page for anonymous visitors.
struct RequireAdminMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard let user = context.currentUser else { return ReturnPath.signInRedirect(for: request) }
        guard user.isAdmin else { throw HTTPError(.forbidden, "This page is for provider administrators only.") }
        return try await next.respond(to: request, context: context)
    }
}
