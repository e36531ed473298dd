import Identity
import Testing
import Web
import WebTesting
@testable import Provider

/// Expired codes, tokens, sessions and throttle rows do not pile up: the housekeeping sweep
/// deletes them, and leaves what is still alive.
@Suite struct HousekeepingTests {
    @Test func longExpiredCodesAndTokensArePurged() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.authorizationCode, .password, .refreshToken], skipConsent: true)
        _ = try await provider.userTokens(client)
        let browser = provider.browser()
        await browser.signIn("alice")
        _ = try await browser.authorizationCode(authorizeParameters(client))
        #expect(try await provider.count("access_tokens") == 1)
        #expect(try await provider.count("authorization_codes") == 1)

        provider.clock.advance(2_592_000 + 86_401)
        await browser.signIn("alice")
        _ = try await browser.authorizationCode(authorizeParameters(client))
        #expect(try await provider.services.housekeeping.sweep() != .skipped)
        #expect(try await provider.count("access_tokens") == 0)
        #expect(try await provider.count("refresh_tokens") == 0)
        #expect(try await provider.count("authorization_codes") == 1, "only the new code is left")
    }
}

extension HousekeepingTests {
    @Test func expiredSessionsAndOldSignInFailuresAreSweptAndLiveOnesKept() async throws {
        let provider = try await TestProvider.make()
        let alice = try await provider.createUser("alice")
        let now = provider.clock.providerClock.now()
        try await provider.services.database.write { db in
            try SessionRepository.save(StoredSession(idHash: "live", userID: alice.id, values: [:], createdAt: now, lastSeen: now,
                                                     expiresAt: now + 3600), in: db)
            try SessionRepository.save(StoredSession(idHash: "expired", userID: alice.id, values: [:], createdAt: now - 7200,
                                                     lastSeen: now - 7200, expiresAt: now - 1), in: db)
            _ = try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('ip', '10.0.0.1', ?)", now - 86_400)
            _ = try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('ip', '10.0.0.1', ?)", now)
        }
        let outcome = try await provider.services.housekeeping.sweep()
        guard case .swept(let counts) = outcome else { Issue.record("sweep skipped"); return }
        #expect(counts["sessions"] == 1)
        #expect(counts["sign_in_failures"] == 1)
        #expect(try await provider.query("SELECT id_hash FROM sessions").map { try $0.string("id_hash") } == ["live"])
        #expect(try await provider.count("sign_in_failures") == 1, "a failure inside the window still counts")
    }
}
