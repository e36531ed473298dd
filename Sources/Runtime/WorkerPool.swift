import Foundation

/// A fixed set of threads for work that would block an event loop: SQLite and PostgreSQL calls,
/// password hashing, outbound HTTP.
///
/// Event loops only ever await the result, so a handler stuck for seconds ties up one worker, not a
/// loop. The pool is bounded on purpose: work beyond `threadCount` waits in the queue instead of
/// spawning threads without limit under load.
public final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool used by `blocking(_:)`. `WORKER_THREADS` overrides its size.
    public static let shared = WorkerPool(
        threadCount: Int(ProcessInfo.processInfo.environment["WORKER_THREADS"] ?? "")
            ?? max(16, ProcessInfo.processInfo.activeProcessorCount * 8),
        name: "worker")

    /// The pool for outbound HTTP calls (identity providers), apart from `shared`: a provider
    /// that stops answering ties up these threads, never the ones database work and password
    /// hashing need. `OUTBOUND_THREADS` overrides its size.
    public static let outbound = WorkerPool(
        threadCount: Int(ProcessInfo.processInfo.environment["OUTBOUND_THREADS"] ?? "") ?? 64, name: "outbound")

    /// Number of threads in the pool.
    public let threadCount: Int
    // `queue` and `head` are guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0

    /// Starts `threadCount` worker threads; they live as long as the process.
    public init(threadCount: Int, name: String) {
        self.threadCount = max(1, threadCount)
        for index in 0..<self.threadCount {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "\(name)-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Queues `work` to run on one of the pool's threads.
    public func submit(_ work: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(work)
        condition.signal()
        condition.unlock()
    }

    private func workLoop() {
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on a pool thread and returns its result to the awaiting task.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Runs blocking work (a database query, a password hash, an outbound HTTP call) on the shared
/// worker pool, so the calling event loop stays free to serve other connections.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await WorkerPool.shared.run(body)
}
