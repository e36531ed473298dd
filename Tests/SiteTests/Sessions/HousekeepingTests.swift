import Accounts
import Identity
import Storage
import Testing
@testable import Site

/// The site's sweep: expired sessions, stale sign-in failures and long-dead API tokens go; a
/// live session and a live token stay.
@Suite struct SiteHousekeepingTests {
    @Test func expiredRowsGoLiveOnesStay() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        await client.signUp("ada")
        let liveSessions = try await site.count("sessions")
        let now = Clock.now
        let userID = try #require(try await site.query("SELECT id FROM users").first?.int64("id"))
        try await site.services.database.write { db in
            try SessionRepository.save(StoredSession(idHash: "expired", userID: userID, values: [:], createdAt: now - 100, lastSeen: now - 100,
                                                     expiresAt: now - 1), in: db)
            _ = try APITokenRepository.issue(userID: userID, lifetime: 60, now: now - 200_000, in: db)
            _ = try APITokenRepository.issue(userID: userID, lifetime: 3600, now: now, in: db)
            _ = try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('ip', '10.0.0.1', ?)", now - 100_000)
        }
        guard case .swept(let counts) = try await site.services.housekeeping.sweep() else { Issue.record("skipped"); return }
        #expect(counts["sessions"] == 1)
        #expect(counts["api_tokens"] == 1)
        #expect(counts["sign_in_failures"] == 1)
        #expect(try await site.count("sessions") == liveSessions, "the signed-in session is untouched")
        #expect(try await site.count("api_tokens") == 1)
        #expect(await client.get("/account").status.code == 200, "still signed in")
    }
}
