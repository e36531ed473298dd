import Web

/// The context key under which an app keeps its signed-in user (`CurrentUser<User>.self`).
public enum CurrentUser<User: Sendable>: ContextKey {
    public typealias Value = User
}

/// Loads the signed-in user named by the session, for both apps. `load` answers nil for a user
/// who no longer counts as signed in (deleted, or disabled on the site), so such a session reads
/// as signed out from the next request on. Requires `SessionMiddleware` before it.
public struct CurrentUserMiddleware<User: Sendable>: Middleware {
    let load: @Sendable (_ id: Int64) async throws -> User?

    /// A middleware that loads users with `load`.
    public init(load: @escaping @Sendable (_ id: Int64) async throws -> User?) { self.load = load }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        if let id = context.session.userID, let user = try await user(id, context.session) {
            context[CurrentUser<User>.self] = user
            context.logger = context.logger.with("user_id", String(id))
        }
        return try await next.respond(to: request, context: context)
    }

    /// The user as the session store read it in the session's own trip, when it did (nil there
    /// means no longer signed in); otherwise a trip of its own.
    private func user(_ id: Int64, _ session: Session) async throws -> User? {
        if let owner = session.owner, owner.value == nil || owner.value is User { return owner.value as? User }
        return try await load(id)
    }
}
