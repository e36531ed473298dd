/// Everything the HTTP server can be tuned with; every limit the issue tracker promised is here.
public struct ServerConfiguration: Sendable {
    /// Address to bind, e.g. `127.0.0.1` or `0.0.0.0`.
    public var host: String
    /// Port to bind; 0 picks a free one (tests).
    public var port: Int
    /// Number of event loops (threads running epoll); one per core by default.
    public var eventLoops: Int
    /// Parser limits: header block, URI and body sizes.
    public var limits: HTTPLimits
    /// A request whose head (and body) has not fully arrived this many seconds after its first
    /// byte gets 408 and a close. Also how long a new connection may stay silent.
    public var requestTimeout: Double
    /// An idle keep-alive connection is closed after this many seconds.
    public var idleTimeout: Double
    /// A connection whose peer stops reading our response is closed after this many seconds
    /// without write progress.
    public var writeTimeout: Double
    /// On SIGTERM/SIGINT, in-flight requests get this long to finish before the process exits.
    public var shutdownGracePeriod: Double
    /// Whether `run()` installs SIGTERM/SIGINT handlers (off for servers started inside tests).
    public var handlesSignals: Bool
    /// Open connections allowed at once, across every loop; past it the server stops accepting
    /// (new connections wait in the listen backlog) until some close.
    public var maxConnections: Int

    /// A configuration; the defaults are the production ones.
    public init(host: String = "127.0.0.1", port: Int = 8080, eventLoops: Int = System.coreCount,
                limits: HTTPLimits = HTTPLimits(), requestTimeout: Double = 10, idleTimeout: Double = 60,
                writeTimeout: Double = 30, shutdownGracePeriod: Double = 10, handlesSignals: Bool = true, maxConnections: Int = 10_000) {
        self.host = host
        self.port = port
        self.eventLoops = max(1, eventLoops)
        self.limits = limits
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.handlesSignals = handlesSignals
        self.maxConnections = max(1, maxConnections)
    }
}

/// Facts about the machine.
public enum System {
    /// The cores this process may run on: its CPU affinity (what `taskset` or a container
    /// grants), falling back to the online count. Event loops beyond it would only take turns.
    public static var coreCount: Int {
        let allowed = Int(latchkey_available_cpus())
        return max(1, allowed > 0 ? allowed : Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

import CLinux
import Glibc
