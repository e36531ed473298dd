import Runtime
import Synchronization

/// A bounded pool of connections shared by both drivers.
///
/// Callers first wait for a permit *asynchronously*, so a queue of writers behind SQLite's single
/// writer parks tasks rather than worker threads; only a caller holding a permit takes a worker
/// thread, where it checks a connection out (opening one lazily) and runs its body.
final class ConnectionPool<Resource: AnyObject & Sendable>: Sendable {
    private struct State: ~Copyable {
        var permits: Int
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var idle: [Resource]
        var closed = false
    }

    private let state: Mutex<State>
    private let open: @Sendable () throws(DatabaseError) -> Resource
    private let destroy: @Sendable (Resource) -> Void

    /// A pool of at most `capacity` connections, starting with `initial` (already open).
    init(
        capacity: Int,
        initial: [Resource] = [],
        open: @escaping @Sendable () throws(DatabaseError) -> Resource,
        destroy: @escaping @Sendable (Resource) -> Void
    ) {
        precondition(capacity >= max(1, initial.count), "pool capacity too small")
        state = Mutex(State(permits: capacity, idle: initial))
        self.open = open
        self.destroy = destroy
    }

    deinit {
        state.withLock { $0.idle }.forEach(destroy)
    }

    /// Runs `body` with a connection on a worker thread. `body` returns the result and whether the
    /// connection may be reused; a connection it deems broken is closed instead of pooled.
    func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (Resource) throws -> (result: Result<T, any Error>, reusable: Bool)
    ) async throws -> T {
        try await acquirePermit()
        defer { releasePermit() }
        return try await blocking {
            let resource = try self.checkOut()
            let outcome: (result: Result<T, any Error>, reusable: Bool)
            do {
                outcome = try body(resource)
            } catch {
                outcome = (.failure(error), false)
            }
            self.checkIn(resource, reusable: outcome.reusable)
            return try outcome.result.get()
        }
    }

    /// Runs `body` at once, on the calling thread, if a permit and a connection are free right
    /// now; nil, with `body` not run, when every connection is busy (the caller then queues with
    /// `withConnection`). Opening a connection lazily here is rare: pools keep theirs.
    func withConnectionIfFree<T>(
        _ body: (Resource) -> (result: Result<T, any Error>, reusable: Bool)
    ) throws -> Result<T, any Error>? {
        let granted: Bool = try state.withLock { state throws(DatabaseError) in
            if state.closed { throw DatabaseError.unavailable("database is closed") }
            guard state.permits > 0 else { return false }
            state.permits -= 1
            return true
        }
        guard granted else { return nil }
        defer { releasePermit() }
        let resource = try checkOut()
        let outcome = body(resource)
        checkIn(resource, reusable: outcome.reusable)
        return outcome.result
    }

    /// Closes idle connections, fails waiting callers, and marks the pool so busy connections are
    /// closed when they come back.
    func close() {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer { state.idle = []; state.waiters = [] }
            return (state.idle, state.waiters)
        }
        idle.forEach(destroy)
        for waiter in waiters { waiter.resume(throwing: DatabaseError.unavailable("database is closed")) }
    }

    private enum FastPath { case granted, closed, wait }

    private func acquirePermit() async throws {
        let fast: FastPath = state.withLock { state in
            if state.closed { return .closed }
            guard state.permits > 0 else { return .wait }
            state.permits -= 1
            return .granted
        }
        switch fast {
        case .granted: return
        case .closed: throw DatabaseError.unavailable("database is closed")
        case .wait: break
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { state in
                if state.closed {
                    continuation.resume(throwing: DatabaseError.unavailable("database is closed"))
                } else if state.permits > 0 {
                    state.permits -= 1
                    continuation.resume()
                } else {
                    state.waiters.append(continuation)
                }
            }
        }
    }

    private func releasePermit() {
        state.withLock { state in
            if state.waiters.isEmpty {
                state.permits += 1
            } else {
                state.waiters.removeFirst().resume()
            }
        }
    }

    private func checkOut() throws(DatabaseError) -> Resource {
        let (closed, pooled) = state.withLock { state in (state.closed, state.idle.popLast()) }
        if closed { throw .unavailable("database is closed") }
        if let pooled { return pooled }
        return try open()
    }

    private func checkIn(_ resource: Resource, reusable: Bool) {
        let keep = state.withLock { state in
            guard reusable, !state.closed else { return false }
            state.idle.append(resource)
            return true
        }
        if !keep { destroy(resource) }
    }
}
