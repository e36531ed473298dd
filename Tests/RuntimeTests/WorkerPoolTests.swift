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

    @Test func neverRunsMoreJobsAtOnceThanItHasThreads() async throws {
        let pool = WorkerPool(threadCount: 3, name: "test-bounded")
        let running = Mutex(0), peak = Mutex(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.run {
                        let now = running.withLock { $0 += 1; return $0 }
                        peak.withLock { $0 = max($0, now) }
                        usleep(20_000)
                        running.withLock { $0 -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.withLock { $0 } <= 3)
        #expect(peak.withLock { $0 } >= 2)
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
