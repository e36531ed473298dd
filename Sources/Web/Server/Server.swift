import Dispatch
import Foundation
import Glibc
import Synchronization

/// Latchkey's HTTP/1.1 server: one epoll event loop per core; the first also accepts and deals
/// connections to all of them in turn. Requests are answered through one `Application`.
public final class Server: @unchecked Sendable {
    /// The configuration the server was built with.
    public let configuration: ServerConfiguration
    /// The server's own log (start-up, protocol errors, shutdown).
    public let logger: Logger
    /// What the server serves.
    public let application: Application
    /// Connections open across every loop (`maxConnections` caps it).
    let openConnections = Atomic<Int>(0)
    /// Random per-process prefix for request ids, so ids from several instances do not collide.
    let idPrefix = String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16)

    private struct State {
        var loops: [EventLoop] = []
        var running = 0
        var port = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var shuttingDown = false
    }
    private let state = Mutex(State())
    private var signalSources: [any DispatchSourceSignal] = []

    /// A server for `application`.
    public init(configuration: ServerConfiguration, application: Application) {
        self.configuration = configuration
        self.application = application
        self.logger = application.logger
    }

    /// Connections open right now, across every loop.
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// The bound port (the real one when configured with port 0); 0 before `start()`.
    public var port: Int { state.withLock { $0.port } }

    /// Binds the listening sockets and starts the event loops; returns once the server accepts.
    public func start() throws {
        Socket.raiseFileLimit()
        signal(SIGPIPE, SIG_IGN)
        let listener = try Socket.listen(host: configuration.host, port: configuration.port)
        let loops = (0..<configuration.eventLoops).map { EventLoop(index: $0, server: self) }
        loops[0].peers = loops
        for loop in loops {
            loop.onStop = { [weak self] in self?.loopStopped() }
            loop.start(listening: loop === loops[0] ? listener.fd : nil)
        }
        let port = listener.port
        state.withLock {
            $0.loops = loops
            $0.running = loops.count
            $0.port = port
        }
    }

    /// Starts the server if needed, stops it gracefully on SIGTERM or SIGINT, and returns once it
    /// has stopped.
    public func run() async throws {
        if port == 0 { try start() }
        if configuration.handlesSignals { installSignalHandlers() }
        await waitUntilStopped()
        LogSink.standardOutput.flush()
    }

    /// Stops accepting, closes idle connections and lets in-flight requests finish; after the
    /// grace period anything left is closed.
    public func shutdown() {
        let loops = state.withLock { state -> [EventLoop] in
            guard !state.shuttingDown else { return [] }
            state.shuttingDown = true
            return state.loops
        }
        guard !loops.isEmpty else { return }
        for loop in loops { loop.beginDraining() }
        DispatchQueue.global().asyncAfter(deadline: .now() + configuration.shutdownGracePeriod) {
            for loop in loops { loop.forceStop() }
        }
    }

    /// Returns once every event loop has stopped.
    public func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.running == 0 && !state.loops.isEmpty { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func loopStopped() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        if !waiters.isEmpty { logger.info("server stopped") }
        for waiter in waiters { waiter.resume() }
    }

    private func installSignalHandlers() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.logger.info("received signal \(number == SIGTERM ? "SIGTERM" : "SIGINT"); draining for up to \(Int(self.configuration.shutdownGracePeriod)) s")
                self.shutdown()
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Runs the application for one request.
    func respond(to request: Request, requestID: String) async -> Response {
        await application.respond(to: request, requestID: requestID)
    }
}
