import Synchronization
import Web

/// Every request a fake received, in arrival order; shared by the recording middleware and the
/// fake's public API.
final class RequestLog: Sendable {
    private let entries = Mutex<[RecordedRequest]>([])

    /// The requests so far.
    var all: [RecordedRequest] { entries.withLock { $0 } }

    /// Appends `request`.
    func append(_ request: Request) {
        let recorded = RecordedRequest(request)
        entries.withLock { $0.append(recorded) }
    }

    /// Forgets everything recorded so far.
    func clear() { entries.withLock { $0.removeAll() } }
}

/// Records each request before routing, so even 404s and 405s show up in the log.
struct RecordingMiddleware: Middleware {
    let log: RequestLog

    func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        log.append(request)
        return try await next.respond(to: request, context: context)
    }
}
