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
