/// Maps method and path to handlers. Paths have static segments, `:name` parameters and an
/// optional trailing `*`. Unknown paths get 404; known paths with another method get 405 with
/// `Allow`; HEAD is answered by the GET handler (the server drops the body).
///
/// Register routes at start-up, then hand the router (or `responder(middleware:)`) to the server.
public final class Router: @unchecked Sendable {
    // Mutated only during set-up, before the server starts; see RouteNode.
    let root = RouteNode()

    /// An empty router.
    public init() {}

    /// Registers `responder` for `method` and `path`, wrapped in `middleware` (outermost first).
    public func add(_ method: HTTPMethod, _ path: String, middleware: [any Middleware] = [], responder: any Responder) {
        precondition(path.hasPrefix("/"), "route paths start with /: \(path)")
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let node = root.insert(segments[...], pattern: path)
        precondition(node.handlers[method] == nil, "route registered twice: \(method) \(path)")
        node.handlers[method] = middleware.wrapping(responder)
    }

    /// Registers a handler that returns anything that can become a response.
    public func on<Output: ResponseGenerator>(_ method: HTTPMethod, _ path: String, middleware: [any Middleware] = [],
                                              use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        add(method, path, middleware: middleware, responder: ClosureResponder { request, context in
            try await handler(request, context).response(for: request, context: context)
        })
    }

    /// Registers a GET handler (HEAD is answered by it too).
    public func get<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.get, path, use: handler)
    }

    /// Registers a POST handler.
    public func post<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.post, path, use: handler)
    }

    /// Registers a PUT handler.
    public func put<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.put, path, use: handler)
    }

    /// Registers a PATCH handler.
    public func patch<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.patch, path, use: handler)
    }

    /// Registers a DELETE handler.
    public func delete<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.delete, path, use: handler)
    }

    /// A group of routes under `prefix` that all run inside `middleware`.
    public func group(_ prefix: String, middleware: [any Middleware] = []) -> RouterGroup {
        RouterGroup(router: self, prefix: prefix, middleware: middleware)
    }

    /// The router wrapped in application-wide middleware (which also runs for 404 and 405).
    public func responder(middleware: [any Middleware] = []) -> any Responder {
        middleware.wrapping(RouterResponder(root: root))
    }
}

/// Dispatches a request through the routing tree.
struct RouterResponder: Responder {
    let root: RouteNode

    func respond(to request: Request, context: RequestContext) async throws -> Response {
        var decoded: [String] = []
        let raw = request.head.path.split(separator: "/", omittingEmptySubsequences: true)
        decoded.reserveCapacity(raw.count)
        for segment in raw {
            guard let value = percentDecodePath(segment) else { throw HTTPError(.badRequest, "Malformed path.") }
            decoded.append(value)
        }
        var parameters = Parameters()
        guard let node = root.match(decoded[...], rawRest: raw[...], parameters: &parameters) else {
            throw HTTPError(.notFound)
        }
        context.parameters = parameters
        context.route = node.pattern
        if let handler = node.handlers[request.method] ?? (request.method == .head ? node.handlers[.get] : nil) {
            return try await handler.respond(to: request, context: context)
        }
        var allowed = Set(node.handlers.keys.map(\.rawValue))
        if allowed.contains("GET") { allowed.insert("HEAD") }
        let allow = allowed.sorted().joined(separator: ", ")
        if request.method == .options { return Response(status: .noContent, headers: ["Allow": allow]) }
        throw HTTPError(.methodNotAllowed, headers: ["Allow": allow])
    }
}
