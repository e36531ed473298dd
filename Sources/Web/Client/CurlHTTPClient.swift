import Runtime

/// The production `HTTPClient`: libcurl, one easy handle per request, run on the outbound worker
/// pool (never the one database work uses), within the task's `OutboundDeadline` if it has one.
///
/// Deliberately not configurable where a setting would weaken it: TLS peer and host verification
/// are always on, only `http` and `https` are spoken, and redirects are never followed (an
/// identity provider that bounces us is answered with its 3xx, not trusted blindly).
public final class CurlHTTPClient: HTTPClient {
    /// Seconds allowed to establish the connection, TLS included.
    public let connectTimeout: Double
    /// Seconds allowed for the whole exchange.
    public let totalTimeout: Double
    /// Largest body accepted; a longer one fails with `ClientError.responseTooLarge`.
    public let maxResponseBytes: Int
    /// `User-Agent` sent when the request does not carry its own.
    public let userAgent: String
    /// Where the blocking transfer runs.
    public let pool: WorkerPool

    /// A client with the given limits; the defaults suit calls to identity providers.
    public init(
        connectTimeout: Double = 5,
        totalTimeout: Double = 15,
        maxResponseBytes: Int = 1 << 20,
        userAgent: String = "Latchkey/1.0 (+https://github.com/latchkey)",
        pool: WorkerPool = .outbound
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = max(0, maxResponseBytes)
        self.userAgent = userAgent
        self.pool = pool
    }

    /// Sends `request` on an outbound-pool thread, since libcurl's easy interface blocks. Within
    /// an `OutboundDeadline`, both timeouts are cut to what is left of it.
    public func send(_ request: ClientRequest) async throws(ClientError) -> ClientResponse {
        try request.validate()
        var connect = connectTimeout, total = totalTimeout
        if let left = OutboundDeadline.remaining {
            guard left > 0.001 else { throw .timedOut }
            connect = min(connect, left)
            total = min(total, left)
        }
        let transfer = CurlTransfer(
            request: request,
            connectTimeoutMS: Self.milliseconds(connect),
            totalTimeoutMS: Self.milliseconds(total),
            maxResponseBytes: maxResponseBytes,
            userAgent: userAgent)
        let outcome: Result<ClientResponse, ClientError>
        do {
            outcome = try await pool.run { transfer.run() }
        } catch {
            throw .transport("worker pool: \(error)")
        }
        return try outcome.get()
    }

    /// Whole milliseconds, at least 1: libcurl reads 0 as "no timeout", which must never happen.
    private static func milliseconds(_ seconds: Double) -> Int {
        guard !seconds.isNaN else { return 1 }
        return max(1, Int((min(seconds, 86_400) * 1000).rounded(.up)))
    }
}
