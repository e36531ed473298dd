import Site
import Testing
import Web
import WebTesting

/// API sign-in attempts are limited per client IP (`API_RATE_LIMIT` per minute).
@Suite struct APIRateLimitTests {
    @Test func answersTooManyRequestsPastTheLimit() async throws {
        let site = try await TestSite.make(["API_RATE_LIMIT": "3"])
        let client = site.client()
        for _ in 0..<3 {
            #expect(await client.postJSON("/api/auth/social", json: "{}").status.code == 400)
        }
        let limited = await client.postJSON("/api/auth/social", json: "{}")
        #expect(limited.status.code == 429)
        #expect(limited.apiError == "rate_limited")
        let retryAfter = try #require(limited.headers["Retry-After"].flatMap { Int($0) })
        #expect((1...60).contains(retryAfter))
    }

    @Test func countsEachClientAddressSeparately() async throws {
        let site = try await TestSite.make(["API_RATE_LIMIT": "1"])
        let first = site.client()
        first.remoteAddress = "192.0.2.10"
        let second = site.client()
        second.remoteAddress = "192.0.2.11"
        #expect(await first.postJSON("/api/auth/social", json: "{}").status.code == 400)
        #expect(await first.postJSON("/api/auth/social", json: "{}").status.code == 429)
        #expect(await second.postJSON("/api/auth/social", json: "{}").status.code == 400)
    }

    @Test func usesTheForwardedAddressOnlyBehindTrustedProxies() async throws {
        let site = try await TestSite.make(["API_RATE_LIMIT": "1", "TRUSTED_PROXIES": "1"])
        let client = site.client()
        #expect(await client.postJSON("/api/auth/social", json: "{}", headers: ["X-Forwarded-For": "198.51.100.1"]).status.code == 400)
        #expect(await client.postJSON("/api/auth/social", json: "{}", headers: ["X-Forwarded-For": "198.51.100.2"]).status.code == 400)
        #expect(await client.postJSON("/api/auth/social", json: "{}", headers: ["X-Forwarded-For": "198.51.100.2"]).status.code == 429)
    }

    @Test func leavesOtherEndpointsAlone() async throws {
        let site = try await TestSite.make(["API_RATE_LIMIT": "1"])
        let client = site.client()
        #expect(await client.postJSON("/api/auth/social", json: "{}").status.code == 400)
        #expect(await client.postJSON("/api/auth/social", json: "{}").status.code == 429)
        #expect(await client.get("/api/me").status.code == 401)
        #expect(await client.get("/api/openapi.json").status.code == 200)
    }
}

extension APIRateLimitTests {
    /// Issue 13: the count lives in the database, so a second instance on the same database
    /// (here: a second application over the same services) sees it, and concurrent attempts
    /// cannot overshoot it.
    @Test func theLimitIsSharedByInstancesAndHoldsUnderConcurrency() async throws {
        let site = try await TestSite.make(["API_RATE_LIMIT": "5"])
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { await site.client().postJSON("/api/auth/social", json: "{}").status.code } }
            return await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(statuses[400] == 5)
        #expect(statuses[429] == 15)
        let secondInstance = TestClient(try SiteApplication.make(services: site.services))
        #expect(await secondInstance.postJSON("/api/auth/social", json: "{}").status.code == 429)
    }
}

/// Issue 13: sign-up had no throttle (40 accounts in 1.4 s).
@Suite struct SignUpRateLimitTests {
    @Test func accountsPerAddressAreLimitedEvenWhenRequestsArriveTogether() async throws {
        let site = try await TestSite.make(["SIGNUP_RATE_LIMIT": "3"])
        let statuses = await withTaskGroup(of: Int.self) { group in
            for i in 0..<10 { group.addTask { await site.client().signUp("user\(i)").status.code } }
            return await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(statuses[200] == 3, "signed up and on to the account page")
        #expect(statuses[429] == 7)
        #expect(try await site.count("users") == 3)
        let refused = await site.client().signUp("latecomer")
        #expect(refused.status.code == 429)
        #expect(refused.headers["Retry-After"] != nil)
        #expect(refused.text.contains("Too many accounts were created from your address"))
        let elsewhere = site.client()
        elsewhere.remoteAddress = "192.0.2.99"
        #expect(await elsewhere.signUp("neighbour").status.code == 200)
        #expect(try await site.count("users") == 4)
    }
}
