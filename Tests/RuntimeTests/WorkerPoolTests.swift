import Foundation
import Runtime
import Synchronization
import Testing

@Suite struct WorkerPoolTests {
    struct Boom: Error {}

    @Test func returnsTheResultOfBlockingWork() async throws {
        let value = try await blocking { 6 * 7 }
        #expect(value == 42)
    }

    @Test func propagatesErrorsThrownOnAWorker() async {
        await #expect(throws: Boom.self) { try await blocking { throw Boom() } }
    }

    /// Counts jobs running at once and the most ever seen.
    final class Gauge: Sendable {
        private let state = Mutex((running: 0, peak: 0))
        func enter() { state.withLock { $0.running += 1; $0.peak = max($0.peak, $0.running) } }
        func leave() { state.withLock { $0.running -= 1 } }
        var peak: Int { state.withLock { $0.peak } }
    }

    @Test func neverRunsMoreJobsAtOnceThanItHasThreads() async throws {
        let pool = WorkerPool(threadCount: 3, name: "test-bounded")
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.run {
                        gauge.enter()
                        usleep(20_000)
                        gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(gauge.peak <= 3)
        #expect(gauge.peak >= 2)
    }

    @Test func queuedWorkAllCompletes() async throws {
        let pool = WorkerPool(threadCount: 2, name: "test-queue")
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<200 { group.addTask { try await pool.run { i } } }
            return try await group.reduce(0, +)
        }
        #expect(total == (0..<200).reduce(0, +))
    }
}
