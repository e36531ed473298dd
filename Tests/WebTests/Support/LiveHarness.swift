import Foundation
import Web
import WebTesting

/// An application around `router`, logging into memory so protocol errors do not clutter the
/// test output (and can be asserted on).
func quietApplication(_ router: Router, middleware: [any Middleware] = [], sink: LogSink = .capturing()) -> Application {
    Application(responder: router.responder(middleware: middleware), logger: Logger(sink: sink))
}

/// Runs `body` against a live server on 127.0.0.1:0, and always stops the server afterwards.
/// `configure` runs after the test defaults, so it can override them.
func withLiveServer<T>(
    _ application: Application,
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (LiveServer) async throws -> T
) async throws -> T {
    let live = try LiveServer.start(application) { configuration in
        // Generous, so a loaded machine cannot make a test's own pauses look like a timeout;
        // the timeout tests set short ones themselves.
        configuration.requestTimeout = 10
        configuration.idleTimeout = 10
        configuration.writeTimeout = 10
        // A connection a test left mid-request must not hold `stop()` for the production 10 s.
        configuration.shutdownGracePeriod = 1
        configure(&configuration)
    }
    do {
        let result = try await body(live)
        await live.stop()
        return result
    } catch {
        await live.stop()
        throw error
    }
}

/// Runs blocking socket work on a thread of its own. Blocking `recv` on the cooperative pool
/// (two threads on a two-core machine) would stall every other test running in parallel.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// A `RawConnection` whose blocking calls run off the cooperative pool.
struct Wire: Sendable {
    /// The underlying blocking connection.
    let raw: RawConnection

    /// Connects to `live`; reads give up after `timeout` seconds.
    static func open(_ live: LiveServer, timeout: Double = 5) throws -> Wire {
        Wire(raw: try RawConnection(port: live.port, timeout: timeout))
    }

    /// Sends `text` as UTF-8.
    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Sends raw bytes.
    func send(_ bytes: [UInt8]) async throws {
        let raw = raw
        try await onThread { try raw.send(bytes) }
    }

    /// Reads one response; nil when the server closed first or the read timed out.
    func response(head: Bool = false) async -> RawResponse? {
        let raw = raw
        return try? await onThread { raw.readResponse(head: head) }
    }

    /// Sends `text` and reads one response.
    func exchange(_ text: String, head: Bool = false) async throws -> RawResponse? {
        try await send(text)
        return await response(head: head)
    }

    /// Whether the server closes the connection before the read timeout.
    func isClosedByPeer() async -> Bool {
        let raw = raw
        return (try? await onThread { raw.isClosedByPeer() }) ?? false
    }

    /// Everything the server sends until it closes (or the read times out).
    func readAll() async -> [UInt8] {
        let raw = raw
        return (try? await onThread { raw.readAll() }) ?? []
    }
}

/// `GET target HTTP/1.1` with a Host field and any extra header lines.
func rawGet(_ target: String, _ extra: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: test\r\n\(extra)\r\n"
}

/// A request whose body is framed by `Content-Length`.
func rawRequest(_ method: String, _ target: String, body: String, _ extra: String = "") -> String {
    "\(method) \(target) HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
}

/// The router most live tests share: `/` says hello, `/echo` reports what arrived, and
/// `/path/*` answers with the request target, so pipelined answers can be told apart.
func echoRouter() -> Router {
    let router = Router()
    router.get("/") { _, _ in "hello" }
    router.get("/path/*") { request, _ in request.head.target }
    router.post("/echo") { request, _ in
        Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body)
    }
    return router
}
