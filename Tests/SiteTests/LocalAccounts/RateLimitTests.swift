import Foundation
import Testing
import Web
import WebTesting

/// Sign-in rate limits, kept in `sign_in_failures`: per account and address (5), per address
/// across accounts (`LOGIN_MAX_FAILURES_PER_IP`, set low in the tests that exercise it), and a
/// slowdown per account across addresses.
@Suite struct RateLimitTests {
    @discardableResult
    private func failedSignIn(_ site: TestSite, _ username: String, forwardedFor: String? = nil) async -> TestResponse {
        let client = site.client()
        if let forwardedFor { client.defaultHeaders.set("X-Forwarded-For", forwardedFor) }
        return await client.signIn(username, password: "not the password")
    }

    private func expectThrottled(_ response: TestResponse, minutes: Int = 15) throws {
        #expect(response.status.code == 429)
        let retryAfter = try #require(response.headers["Retry-After"].flatMap { Int($0) })
        #expect(retryAfter > 0)
        #expect(retryAfter <= minutes * 60)
        #expect(response.alert == "Too many failed sign-in attempts. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").")
    }

    @Test func fiveFailuresForOneAccountThrottleItEvenWithTheRightPassword() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        for _ in 0..<5 { #expect(await failedSignIn(site, "alice").status.code == 401) }
        let response = await site.client().signIn("alice")
        try expectThrottled(response)
        #expect(try await site.query("SELECT COUNT(*) AS n FROM sign_in_failures WHERE scope = 'account' AND subject = 'alice'").first?.int("n") == 5)
        #expect(try await site.query("SELECT COUNT(*) AS n FROM sign_in_failures WHERE scope = 'ip'").first?.int("n") == 5)
        #expect(try await site.sessionCount(of: "alice") == 0)
    }

    /// Issue 13: failures from many addresses slow the account down instead of locking it.
    @Test func failuresFromManyAddressesSlowTheAccountDown() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1", "LOGIN_ACCOUNT_SLOWDOWN_AFTER": "5"])
        try await site.createUser("alice")
        for i in 1...5 { #expect(await failedSignIn(site, "Alice", forwardedFor: "203.0.113.\(i)").status.code == 401) }
        let client = site.client()
        client.defaultHeaders.set("X-Forwarded-For", "203.0.113.99")
        let slowed = await client.signIn("alice")
        #expect(slowed.status.code == 429)
        let retryAfter = try #require(slowed.headers["Retry-After"].flatMap { Int($0) })
        #expect(retryAfter > 0 && retryAfter <= 900 / 5, "one check per interval, never a lockout")
        #expect(slowed.alert?.contains("slowed down") == true)
        let subjects = try await site.query("SELECT DISTINCT subject FROM sign_in_failures WHERE scope = 'ip'").map { try $0.string("subject") }
        #expect(Set(subjects) == Set((1...5).map { "203.0.113.\($0)" }))
    }

    @Test func ipLimitCoversDifferentAccounts() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1", "LOGIN_MAX_FAILURES_PER_IP": "5"])
        try await site.createUser("alice")
        for i in 1...5 { #expect(await failedSignIn(site, "user\(i)", forwardedFor: "203.0.113.7").status.code == 401) }
        let client = site.client()
        client.defaultHeaders.set("X-Forwarded-For", "203.0.113.7")
        try expectThrottled(await client.signIn("alice"))

        let elsewhere = site.client()
        elsewhere.defaultHeaders.set("X-Forwarded-For", "203.0.113.8")
        #expect(await elsewhere.signIn("alice").location == "/account")
    }

    @Test func spoofedForwardedForDoesNotEscapeTheIPLimitWithoutTrustedProxies() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "0", "LOGIN_MAX_FAILURES_PER_IP": "5"])
        try await site.createUser("alice")
        for i in 1...5 { #expect(await failedSignIn(site, "user\(i)", forwardedFor: "198.51.100.\(i)").status.code == 401) }
        let client = site.client()
        client.defaultHeaders.set("X-Forwarded-For", "198.51.100.200")
        try expectThrottled(await client.signIn("alice"))
        let subjects = try await site.query("SELECT DISTINCT subject FROM sign_in_failures WHERE scope = 'ip'").map { try $0.string("subject") }
        #expect(subjects == ["127.0.0.1"])
    }

    @Test func onlyTheRightmostUntrustedHopCountsBehindOneProxy() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1", "LOGIN_MAX_FAILURES_PER_IP": "5"])
        try await site.createUser("alice")
        // The client prepends a fresh fake address each time; the proxy appends the real one.
        for i in 1...5 { #expect(await failedSignIn(site, "user\(i)", forwardedFor: "10.9.9.\(i), 203.0.113.50").status.code == 401) }
        let client = site.client()
        client.defaultHeaders.set("X-Forwarded-For", "10.9.9.99, 203.0.113.50")
        try expectThrottled(await client.signIn("alice"))
    }

    @Test func successfulSignInClearsTheAccountsFailures() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1"])
        try await site.createUser("alice")
        for i in 1...4 { await failedSignIn(site, "alice", forwardedFor: "203.0.113.\(i)") }
        let client = site.client()
        client.defaultHeaders.set("X-Forwarded-For", "203.0.113.20")
        #expect(await client.signIn("alice").location == "/account")
        #expect(try await site.query("SELECT COUNT(*) AS n FROM sign_in_failures WHERE scope = 'account'").first?.int("n") == 0)
        for i in 5...8 { #expect(await failedSignIn(site, "alice", forwardedFor: "203.0.113.\(i)").status.code == 401) }
    }

    @Test func failuresOlderThanTheWindowDoNotCount() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let old = Int(Date().timeIntervalSince1970) - 1000
        try await site.services.database.write { db in
            for _ in 0..<10 {
                _ = try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('account', 'alice', ?)", old)
                _ = try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('ip', '127.0.0.1', ?)", old)
            }
        }
        #expect(await site.client().signIn("alice").location == "/account")
    }

    @Test func limitsFollowTheConfiguredCountAndWindow() async throws {
        let site = try await TestSite.make(["LOGIN_MAX_FAILURES": "2", "LOGIN_WINDOW_SECONDS": "60"])
        try await site.createUser("alice")
        #expect(await failedSignIn(site, "alice").status.code == 401)
        #expect(await failedSignIn(site, "alice").status.code == 401)
        try expectThrottled(await site.client().signIn("alice"), minutes: 1)
    }

    @Test func throttledAttemptsAreNotRecordedAsMoreFailures() async throws {
        let site = try await TestSite.make(["LOGIN_MAX_FAILURES": "2"])
        try await site.createUser("alice")
        for _ in 0..<6 { await failedSignIn(site, "alice") }
        #expect(try await site.query("SELECT COUNT(*) AS n FROM sign_in_failures WHERE scope = 'pair'").first?.int("n") == 2)
    }

    /// Issue 13: after five failures from one address, a colleague behind the same NAT with the
    /// right password was refused.
    @Test func aColleagueBehindTheSameAddressStillSignsIn() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        try await site.createUser("bob")
        for _ in 0..<5 { #expect(await failedSignIn(site, "alice").status.code == 401) }
        #expect(await site.client().signIn("bob").location == "/account")
    }

    /// Issue 13: 60 concurrent guesses had 48 passwords checked; now at most the limit is.
    @Test func concurrentGuessesAreCheckedNoMoreThanTheLimit() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { await failedSignIn(site, "alice").status.code } }
            return await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(statuses[401] == 5)
        #expect(statuses[429] == 35)
        #expect(await site.client().signIn("alice").status.code == 429, "the right password waits too")
    }

    /// Checks in flight do not count against the address: twenty people behind one address
    /// signing in at once all get in, even with a low address limit.
    @Test func concurrentRightPasswordsFromOneAddressAllSignIn() async throws {
        let site = try await TestSite.make(["LOGIN_MAX_FAILURES_PER_IP": "5", "SIGNUP_RATE_LIMIT": "100"])
        for i in 0..<20 { try await site.createUser("person\(i)") }
        let statuses = await withTaskGroup(of: Int.self) { group in
            for i in 0..<20 { group.addTask { await site.client().signIn("person\(i)").status.code } }
            return await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(statuses == [303: 20])
    }

    /// The account is slowed down rather than locked, and its owner is told what happened.
    @Test func theOwnerIsToldOfFailedAttemptsAtTheNextSignIn() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1"])
        try await site.createUser("alice")
        for i in 1...3 { await failedSignIn(site, "alice", forwardedFor: "203.0.113.\(i)") }
        let owner = site.client()
        let signedIn = await owner.signIn("alice")
        #expect(signedIn.location == "/account")
        let flashes = await owner.follow(signedIn).flashes
        #expect(flashes.contains { $0.contains("3 failed attempts to sign in to your account") })
        owner.clearCookies()
        let again = await owner.signIn("alice")
        #expect(await owner.follow(again).flashes.allSatisfy { !$0.contains("failed attempt") }, "told once")
    }
}
