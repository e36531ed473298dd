import Runtime
import Synchronization
import Testing

/// The gate lets `limit` holders in at once, queues the rest in order, and tells a caller that
/// waited too long.
@Suite struct AsyncGateTests {
    @Test func neverMoreThanTheLimitHoldAtOnce() async throws {
        let gate = AsyncGate(limit: 3)
        let counts = Counts()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await gate.run(timeout: 30) {
                        counts.enter()
                        try await Task.sleep(nanoseconds: 2_000_000)
                        counts.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(counts.most == 3)
        #expect(await gate.load.holders == 0)
    }

    @Test func aCallerThatWaitsTooLongGetsTimeoutAndThePlaceIsNotLost() async throws {
        let gate = AsyncGate(limit: 1)
        #expect(await gate.enter(timeout: 1))
        #expect(await gate.enter(timeout: 0.01) == false)
        await gate.leave()
        #expect(await gate.load == (0, 0))
        await #expect(throws: AsyncGate.Timeout.self) {
            _ = await gate.enter(timeout: 1)
            try await gate.run(timeout: 0.01) { }
        }
    }
}

/// How many are inside now, and the most there ever were.
final class Counts: Sendable {
    private let state = Mutex((inside: 0, most: 0))
    func enter() { state.withLock { $0.inside += 1; $0.most = max($0.most, $0.inside) } }
    func leave() { state.withLock { $0.inside -= 1 } }
    var most: Int { state.withLock { $0.most } }
}
