import Accounts
import Web

/// The context key for the signed-in user.
enum CurrentUserKey: ContextKey {
    typealias Value = User
}

extension RequestContext {
    /// The signed-in user, if any (requires `CurrentUserMiddleware`).
    var currentUser: User? { self[CurrentUserKey.self] }
}

/// Loads the signed-in user named by the session. A session whose user was deleted or disabled
/// counts as signed out, so disabling an account takes effect on the next request.
struct CurrentUserMiddleware: Middleware {
    let services: SiteServices

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        if let id = context.session.userID {
            let user = try await services.database.read { db in try UserRepository.find(id: id, in: db) }
            if let user, !user.isDisabled {
                context[CurrentUserKey.self] = user
                context.logger = context.logger.with("user_id", String(user.id))
            }
        }
        return try await next.respond(to: request, context: context)
    }
}

/// Sends anonymous visitors to the sign-in page (coming back here afterwards).
struct RequireUserMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard context.currentUser != nil else { return signInRedirect(for: request) }
        return try await next.respond(to: request, context: context)
    }
}

/// Admin-only routes: 403 for signed-in non-admins, the sign-in page for anonymous visitors.
struct RequireAdminMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard let user = context.currentUser else { return signInRedirect(for: request) }
        guard user.isAdmin else { throw HTTPError(.forbidden, "This page is for administrators only.") }
        return try await next.respond(to: request, context: context)
    }
}
