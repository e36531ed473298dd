import IdentityWeb
import Web

extension RequestContext {
    /// The signed-in user, if any (requires the `CurrentUserMiddleware` from `currentUserMiddleware`).
    var currentUser: ProviderUser? { self[CurrentUser<ProviderUser>.self] }
}

extension ProviderServices {
    /// Loads the signed-in user; a session whose user was deleted counts as signed out.
    var currentUserMiddleware: CurrentUserMiddleware<ProviderUser> {
        let users = users
        return CurrentUserMiddleware { id in try await users.find(id: id) }
    }
}

/// Routes for signed-in people: anonymous visitors go to the sign-in page (and come back).
struct RequireUserMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard context.currentUser != nil else { return ReturnPath.signInRedirect(for: request) }
        return try await next.respond(to: request, context: context)
    }
}

/// Admin-only routes: 403 for signed-in non-admins, the sign-in page for anonymous visitors.
struct RequireAdminMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard let user = context.currentUser else { return ReturnPath.signInRedirect(for: request) }
        guard user.isAdmin else { throw HTTPError(.forbidden, context.translator.text("This page is for provider administrators only.")) }
        return try await next.respond(to: request, context: context)
    }
}
