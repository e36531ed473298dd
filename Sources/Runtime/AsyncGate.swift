/// At most `limit` holders at once; others wait their turn, first come first served, but only
/// for so long. Used to bound work that costs memory per caller (a password hash is 32 MiB):
/// past the bound, callers queue without holding a thread, and a caller that would wait too
/// long is told so instead, to answer "try again" rather than pile up.
public actor AsyncGate {
    /// How many may hold the gate at once.
    public let limit: Int
    private var holders = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID: UInt64 = 0

    /// A gate for `limit` holders (at least one).
    public init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a place, waiting up to `timeout` seconds; false when none came free in time.
    public func enter(timeout: Double) async -> Bool {
        if holders < limit {
            holders += 1
            return true
        }
        nextID += 1
        let id = nextID
        return await withCheckedContinuation { continuation in
            waiters.append((id, continuation))
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout) * 1e9))
                await self?.giveUp(id)
            }
        }
    }

    /// Gives the place back; the longest waiter (if any) takes it over.
    public func leave() {
        if waiters.isEmpty {
            holders = max(0, holders - 1)
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }

    /// Runs `body` holding a place; throws `AsyncGate.Timeout` when none came free in time.
    public nonisolated func run<T: Sendable>(timeout: Double, _ body: @Sendable () async throws -> T) async throws -> T {
        guard await enter(timeout: timeout) else { throw Timeout() }
        do {
            let result = try await body()
            await leave()
            return result
        } catch {
            await leave()
            throw error
        }
    }

    /// No place came free within the timeout.
    public struct Timeout: Error, Sendable {}

    /// Holders and waiters now (for tests and diagnostics).
    public var load: (holders: Int, waiting: Int) { (holders, waiters.count) }

    private func giveUp(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }
}
