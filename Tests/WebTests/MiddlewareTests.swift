import Testing
import Web
import WebTesting

/// Records when the request passes it on the way in and on the way out.
private struct Tracing: Middleware {
    let name: String
    let trace: Trace

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        trace.record(">\(name)")
        do {
            let response = try await next.respond(to: request, context: context)
            trace.record("<\(name) \(response.status.code)")
            return response
        } catch let error as HTTPError {
            trace.record("<\(name) threw \(error.status.code)")
            throw error
        }
    }
}

/// Answers 401 itself unless the request carries `X-Key: open`.
private struct Guard: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard request.headers["X-Key"] == "open" else { return Response(status: .unauthorized) }
        return try await next.respond(to: request, context: context)
    }
}

/// Adds a header to whatever the rest of the chain answers.
private struct Stamp: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        var response = try await next.respond(to: request, context: context)
        response.headers.add("X-Stamp", "yes")
        return response
    }
}

private enum UserKey: ContextKey { typealias Value = String }

/// Stores a value in the context for the handler to read.
private struct Identify: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        context[UserKey.self] = "ada"
        return try await next.respond(to: request, context: context)
    }
}

private struct Boom: Error {}

@Suite struct MiddlewareTests {
    @Test func firstMiddlewareInTheArrayRunsOutermost() async {
        let trace = Trace()
        let router = Router()
        router.get("/") { _, _ in
            trace.record("handler")
            return "ok"
        }
        let application = quietApplication(router, middleware: [Tracing(name: "a", trace: trace), Tracing(name: "b", trace: trace)])
        #expect(await TestClient(application).get("/").status == .ok)
        #expect(trace.all == [">a", ">b", "handler", "<b 200", "<a 200"])
    }

    @Test func applicationMiddlewareRunsForNotFoundAndMethodNotAllowed() async {
        let trace = Trace()
        let router = Router()
        router.get("/only-get") { _, _ in "ok" }
        let client = TestClient(quietApplication(router, middleware: [Tracing(name: "app", trace: trace)]))
        #expect(await client.get("/missing").status == .notFound)
        #expect(await client.send(.post, "/only-get").status == .methodNotAllowed)
        #expect(trace.all == [">app", "<app threw 404", ">app", "<app threw 405"])
    }

    @Test func middlewareCanShortCircuit() async {
        let trace = Trace()
        let router = Router()
        router.get("/") { _, _ in
            trace.record("handler")
            return "secret"
        }
        let client = TestClient(quietApplication(router, middleware: [Guard()]))
        #expect(await client.get("/").status == .unauthorized)
        #expect(trace.all.isEmpty)
        #expect(await client.get("/", headers: ["X-Key": "open"]).text == "secret")
    }

    @Test func middlewareCanChangeTheResponse() async {
        let router = Router()
        router.get("/") { _, _ in "ok" }
        let response = await TestClient(quietApplication(router, middleware: [Stamp()])).get("/")
        #expect(response.headers["X-Stamp"] == "yes")
        #expect(response.text == "ok")
    }

    @Test func contextCarriesValuesFromMiddlewareToHandler() async {
        let router = Router()
        router.get("/me") { _, context in context[UserKey.self] ?? "anonymous" }
        router.get("/plain") { _, context in context[UserKey.self] ?? "anonymous" }
        #expect(await TestClient(quietApplication(router, middleware: [Identify()])).get("/me").text == "ada")
        #expect(await TestClient(quietApplication(router)).get("/plain").text == "anonymous")
    }

    @Test func groupMiddlewareRunsOnlyForGroupRoutes() async {
        let trace = Trace()
        let router = Router()
        router.get("/public") { _, _ in "public" }
        let admin = router.group("/admin", middleware: [Tracing(name: "admin", trace: trace)])
        admin.get("/panel") { _, _ in "panel" }
        let client = TestClient(quietApplication(router, middleware: [Tracing(name: "app", trace: trace)]))

        #expect(await client.get("/public").text == "public")
        #expect(trace.all == [">app", "<app 200"])

        #expect(await client.get("/admin/panel").text == "panel")
        #expect(trace.all.suffix(4) == [">app", ">admin", "<admin 200", "<app 200"])

        // A 404 under the prefix never reached a group route, so only the app middleware saw it.
        #expect(await client.get("/admin/missing").status == .notFound)
        #expect(trace.all.suffix(2) == [">app", "<app threw 404"])
    }

    @Test func nestedGroupsRunOuterMiddlewareFirst() async {
        let trace = Trace()
        let router = Router()
        let api = router.group("/api", middleware: [Tracing(name: "api", trace: trace)])
        let v1 = api.group("/v1", middleware: [Tracing(name: "v1", trace: trace)])
        v1.get("/ping") { _, _ in "pong" }
        #expect(await TestClient(quietApplication(router)).get("/api/v1/ping").text == "pong")
        #expect(trace.all == [">api", ">v1", "<v1 200", "<api 200"])
    }

    @Test func groupMiddlewareCanGuardItsRoutes() async {
        let router = Router()
        router.group("/admin", middleware: [Guard()]).get("/panel") { _, _ in "panel" }
        router.get("/home") { _, _ in "home" }
        let client = TestClient(quietApplication(router))
        #expect(await client.get("/admin/panel").status == .unauthorized)
        #expect(await client.get("/admin/panel", headers: ["X-Key": "open"]).text == "panel")
        #expect(await client.get("/home").text == "home")
    }

    @Test func requestLogWritesOneLinePerRequestWithoutQuery() async {
        let sink = LogSink.capturing()
        let router = Router()
        router.get("/hello") { _, _ in "hi" }
        let client = TestClient(quietApplication(router, middleware: [RequestLogMiddleware()], sink: sink))
        await client.get("/hello?code=SECRET123")
        let lines = sink.lines
        #expect(lines.count == 1)
        let line = lines.first ?? ""
        #expect(line.contains("method=GET path=/hello status=200 bytes=2"))
        #expect(line.contains("request_id=test-1"))
        #expect(line.contains("duration_ms="))
        #expect(!line.contains("SECRET123"))
    }

    @Test func requestLogRecordsErrorStatuses() async {
        let sink = LogSink.capturing()
        let router = Router()
        router.get("/boom") { _, _ -> String in throw Boom() }
        let client = TestClient(quietApplication(router, middleware: [RequestLogMiddleware()], sink: sink))
        await client.get("/missing")
        await client.get("/boom")
        let lines = sink.lines
        #expect(lines.contains { $0.contains("path=/missing status=404") })
        #expect(lines.contains { $0.contains("path=/boom status=500") })
    }
}
