/// Routes sharing a path prefix and middleware, e.g. everything under `/admin`.
public struct RouterGroup: Sendable {
    let router: Router
    let prefix: String
    let middleware: [any Middleware]

    /// A nested group: prefixes join, and this group's middleware runs outside the new one's.
    public func group(_ prefix: String, middleware: [any Middleware] = []) -> RouterGroup {
        RouterGroup(router: router, prefix: join(prefix), middleware: self.middleware + middleware)
    }

    /// Registers a handler under the group's prefix and middleware.
    public func on<Output: ResponseGenerator>(_ method: HTTPMethod, _ path: String,
                                              use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        router.on(method, join(path), middleware: middleware, use: handler)
    }

    public func get<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.get, path, use: handler)
    }

    public func post<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.post, path, use: handler)
    }

    public func put<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.put, path, use: handler)
    }

    public func patch<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.patch, path, use: handler)
    }

    public func delete<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, RequestContext) async throws -> Output) {
        on(.delete, path, use: handler)
    }

    private func join(_ path: String) -> String {
        let base = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        if path == "/" || path.isEmpty { return base.isEmpty ? "/" : base }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }
}
