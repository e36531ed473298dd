import Accounts
import IdentityWeb
import Mustache
import Storage
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
        return CurrentUserMiddleware { id in try await database.read { db in try Self.signedInUser(id, in: db) } }
    }

    /// The user a session names, if they still count as signed in. The session store reads it
    /// with the session (`SiteServices.open`); the middleware, when the store did not.
    static func signedInUser(_ id: Int64, in db: any Connection) throws -> User? {
        try UserRepository.find(id: id, in: db).flatMap { $0.isDisabled ? nil : $0 }
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
/// With `REQUIRE_MFA_FOR_ADMINS=1`, also 403 (a page saying what to do) for an administrator
/// whose session was not signed in with a second factor.
struct RequireAdminMiddleware: Middleware {
    var requireSecondFactor = false

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard let user = context.currentUser else { return signInRedirect(for: request) }
        guard user.isAdmin else { throw HTTPError(.forbidden, context.translator.text("This page is for administrators only.")) }
        if requireSecondFactor && !context.session.usedSecondFactor {
            context.logger.warning("admin_without_second_factor", ["path": request.path])
            return try Page(context, title: context.translator.text("Use a second factor"), [:])
                .view("site/admin/second-factor-required", status: .forbidden).response(for: request, context: context)
        }
        return try await next.respond(to: request, context: context)
    }
}

/// With `ACCOUNT_EMAIL_VERIFICATION=mandatory`, a signed-in person whose address is not verified
/// yet may only verify it (or sign out): every other page sends them to the code form. Accounts
/// without an address (social sign-ups whose provider vouched for none) are not held back.
struct RequireVerifiedEmailMiddleware: Middleware {
    /// What a person with an unverified address may still do.
    static let allowed: Set<String> = ["/account", "/account/", "/account/email/verify", "/account/email/verify/resend",
                                           // A mistyped address must be fixable.
                                           "/account/email", "/account/email/cancel", "/logout", "/healthz",
                                           // Changing the address asks to confirm it is them first; and
                                           // leaving must always be possible.
                                           "/account/reauthenticate", "/account/reauthenticate/code",
                                           "/account/reauthenticate/code/enter", "/account/delete", "/account/export"]

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard let user = context.currentUser, user.email != nil, !user.emailVerified, !Self.allowed.contains(request.path) else {
            return try await next.respond(to: request, context: context)
        }
        guard request.method == .get || request.method == .head else {
            throw HTTPError(.forbidden, context.translator.text("Verify your email address first: enter the code we sent it on your account page."))
        }
        context.session.flash(context.translator.text("Verify your email address first: enter the code we sent it."), kind: "info")
        return Response(status: .seeOther, headers: ["Location": "/account#verify-email"])
    }
}
