import Accounts
import IdentityWeb
import Web

extension RequestContext {
    /// The signed-in user, if any (requires the `CurrentUserMiddleware` from `currentUserMiddleware`).
    var currentUser: User? { self[CurrentUser<User>.self] }
}

extension SiteServices {
    /// Loads the signed-in user. A session whose user was deleted or disabled counts as signed
    /// out, so disabling an account takes effect on the next request.
    var currentUserMiddleware: CurrentUserMiddleware<User> {
        let database = core.database
        return CurrentUserMiddleware { id in
            try await database.read { db in try UserRepository.find(id: id, in: db) }.flatMap { $0.isDisabled ? nil : $0 }
        }
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
