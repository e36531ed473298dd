import Foundation
import Synchronization
import Web
import WebTesting

/// The machinery every fake shares: a live HTTP server on 127.0.0.1, the request log, the fault
/// board and the store of codes and tokens. A fake registers its routes, then starts it.
public final class FakeServer: Sendable {
    /// Routes registered by the fake before `start`.
    let router = Router()
    /// Everything received.
    let log = RequestLog()
    /// Faults waiting to be shown.
    let faults = FaultBoard()
    /// Codes and tokens issued.
    let grants = Mutex(GrantStore())
    private let live = Mutex<LiveServer?>(nil)

    init() {}

    /// `http://127.0.0.1:<port>` once started.
    public var baseURL: String {
        guard let server = live.withLock({ $0 }) else { preconditionFailure("fake server used before it started") }
        return server.baseURL
    }

    /// Starts serving the registered routes on a free port.
    func start() throws {
        let application = Application(responder: router.responder(middleware: [RecordingMiddleware(log: log)]),
                                      logger: Logger(level: .warning))
        let server = try LiveServer.start(application)
        live.withLock { $0 = server }
    }

    /// Stops the server and waits for it to drain.
    func stop() async {
        guard let server = live.withLock({ $0 }) else { return }
        await server.stop()
    }

    /// Registers `handler` for `method path`. Each request takes the fault due for `endpoint`; the
    /// generic ones (timeout, status, HTML, malformed JSON) are applied here, the rest reach the
    /// handler. `owner` is held weakly, so the server does not keep its fake alive.
    func route<Owner: AnyObject & Sendable>(_ method: HTTPMethod, _ path: String, _ endpoint: FakeEndpoint, owner: Owner,
                                            _ handler: @escaping @Sendable (Owner) -> (Exchange) throws -> Response) {
        let faults = self.faults
        router.add(method, path, responder: ClosureResponder { [weak owner] request, context in
            let fault = faults.take(for: endpoint)
            if let response = try await Self.genericFaultResponse(fault) { return response }
            guard let owner else { throw HTTPError(.serviceUnavailable, "The fake provider was released.") }
            do {
                return try handler(owner)(Exchange(request: request, route: context.parameters, fault: fault))
            } catch let rejection as Rejection {
                return rejection.response
            }
        })
    }

    /// The response a generic fault replaces the real one with; nil to answer normally (after
    /// waiting, for a timeout).
    private static func genericFaultResponse(_ fault: FakeFault?) async throws -> Response? {
        switch fault {
        case let .timeout(seconds)?:
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        case let .status(code)?:
            let status = HTTPStatus(code)
            return Response(status: status, contentType: "text/plain; charset=utf-8", text: "\(status.code) \(status.reasonPhrase)\n")
        case .html?:
            return Wire.html("We'll be right back", "The service is temporarily unavailable. Please try again later.")
        case .malformedJSON?:
            return Response(status: .ok, contentType: "application/json; charset=utf-8", text: "{\"access_token\": \"trunc")
        default:
            return nil
        }
    }
}
