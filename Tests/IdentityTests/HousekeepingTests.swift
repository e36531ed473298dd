import Foundation
@testable import Identity
import Storage
import Synchronization
import Testing

/// The sweep deletes what has expired and nothing else; an app's own chores run with it.
@Suite struct HousekeepingTests {
    @Test func expiredSessionsAndStaleFailuresGoLiveOnesStay() async throws {
        let database = try await TestDatabase.make()
        let clock = TestClock()
        let now = clock.clock.now()
        let user = try await TestDatabase.addUser("ada", hash: nil, in: database)
        try await database.write { db in
            try SessionRepository.save(StoredSession(idHash: "live", userID: user, values: ["k": "v"], createdAt: now, lastSeen: now,
                                                     expiresAt: now + 60), in: db)
            try SessionRepository.save(StoredSession(idHash: "anonymous-expired", userID: nil, values: [:], createdAt: now - 100,
                                                     lastSeen: now - 100, expiresAt: now), in: db)
            try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('ip', 'a', ?)", now - 900)
            try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('ip', 'a', ?)", now - 10)
        }
        let ran = Chores()
        let housekeeping = Housekeeping(database: database, clock: clock.clock, throttle: SignInThrottle(maxFailures: 5, window: 600),
                                        extra: [Housekeeping.Chore("extra") { _, _ in ran.count += 1; return 7 }])
        #expect(try await housekeeping.sweep() == .swept(["sessions": 1, "sign_in_failures": 1, "rate_events": 0, "outbox": 0, "password_resets": 0, "email_verifications": 0, "sign_in_codes": 0, "webauthn_challenges": 0, "extra": 7]))
        #expect(ran.count == 1)
        let live = try await database.read { db in try SessionRepository.load(idHash: "live", in: db) }
        #expect(live?.values == ["k": "v"], "a live session is untouched")
        #expect(try await database.read { db in try SessionRepository.load(idHash: "anonymous-expired", in: db) } == nil)
        #expect(try await housekeeping.sweep() == .swept(["sessions": 0, "sign_in_failures": 0, "rate_events": 0, "outbox": 0, "password_resets": 0, "email_verifications": 0, "sign_in_codes": 0, "webauthn_challenges": 0, "extra": 7]))
    }

    @Test func aFailingSweepIsReportedAndTheLoopGoesOn() async throws {
        let database = try await TestDatabase.make()
        let reports = Reports()
        let housekeeping = Housekeeping(database: database, throttle: SignInThrottle(),
                                        extra: [Housekeeping.Chore("broken") { _, db in try db.execute("DELETE FROM no_such_table") }])
        let task = Task { await housekeeping.run(every: 3600) { reports.add($0) } }
        while reports.all.isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
        task.cancel()
        await task.value
        #expect(reports.all.first?.hasPrefix("housekeeping_failed") == true)
    }
}

final class Chores: @unchecked Sendable {
    var count = 0
}

final class Reports: Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

extension HousekeepingTests {
    /// Two instances on one PostgreSQL database: while one sweeps (holds the lock), the other's
    /// sweep is skipped rather than run twice.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TEST_DATABASE_URL"]?.isEmpty == false, "needs TEST_DATABASE_URL (PostgreSQL)"))
    func onlyOneInstanceSweepsAtATime() async throws {
        let url = try await TestDatabase.freshURL()
        let first = try await TestDatabase.open(url, prepare: true)
        let second = try await TestDatabase.open(url, prepare: false)
        let holding = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)
        let holder = Task {
            try await first.write { db in
                _ = try Housekeeping.lock(db)
                holding.store(true, ordering: .sequentiallyConsistent)
                // Blocks one worker thread for the moment the other instance takes to try.
                release.wait()
            }
        }
        while !holding.load(ordering: .sequentiallyConsistent) { try await Task.sleep(nanoseconds: 5_000_000) }
        let other = Housekeeping(database: second, throttle: SignInThrottle())
        let outcome = try await other.sweep()
        release.signal()
        try await holder.value
        #expect(outcome == .skipped)
        #expect(try await other.sweep() != .skipped, "once the first instance is done, the next sweep runs")
    }
}
