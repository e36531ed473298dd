/// Anything that turns a request into a response: a route handler, a middleware chain, the
/// router itself. The server only knows this protocol.
public protocol Responder: Sendable {
    /// Produces the response for `request`.
    func respond(to request: Request, context: RequestContext) async throws -> Response
}

/// A responder made from a closure.
public struct ClosureResponder: Responder {
    private let body: @Sendable (Request, RequestContext) async throws -> Response

    /// Wraps `body`.
    public init(_ body: @escaping @Sendable (Request, RequestContext) async throws -> Response) { self.body = body }

    public func respond(to request: Request, context: RequestContext) async throws -> Response {
        try await body(request, context)
    }
}

/// One layer around a responder: it may act before, after, or instead of the rest of the chain.
public protocol Middleware: Sendable {
    /// Handles `request`, calling `next` to run the rest of the chain (or not, to short-circuit).
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response
}

/// A middleware bound to the responder it wraps; chains are built once, at start-up, so a request
/// allocates nothing to walk them.
struct MiddlewareResponder: Responder {
    let middleware: any Middleware
    let next: any Responder

    func respond(to request: Request, context: RequestContext) async throws -> Response {
        try await middleware.handle(request, context: context, next: next)
    }
}

extension Array where Element == any Middleware {
    /// Wraps `responder` so that the first middleware in the array runs first.
    public func wrapping(_ responder: any Responder) -> any Responder {
        reversed().reduce(responder) { next, middleware in MiddlewareResponder(middleware: middleware, next: next) }
    }
}
