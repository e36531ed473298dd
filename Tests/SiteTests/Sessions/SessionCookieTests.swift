import Foundation
import Testing
import Web
import WebTesting

/// The session cookie's attributes.
@Suite struct SessionCookieTests {
    @Test func sessionCookieIsHttpOnlyLaxAndSiteWide() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let response = await site.client().signIn("alice")
        let cookie = try #require(response.setCookie())
        let attributes = TestResponse.cookieAttributes(cookie)
        #expect(attributes.contains("HttpOnly"))
        #expect(attributes.contains("SameSite=Lax"))
        #expect(attributes.contains("Path=/"))
        #expect(!attributes.contains("Secure"))
        #expect(!attributes.contains { $0.hasPrefix("Max-Age=") || $0.hasPrefix("Expires=") }, "a browser-session cookie unless asked")
    }

    /// Issue 16: "keep me signed in" unchecked gives a cookie that dies with the browser (and a
    /// stored session that ends after twelve idle hours); checked, the persistent lifetime.
    @Test func keepMeSignedInChoosesThePersistentCookie() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        #expect(await site.client().get("/login").text.contains("name=\"remember\""))

        let kept = TestResponse.cookieAttributes(try #require(await site.client().signIn("alice", remember: true).setCookie()))
        let maxAge = kept.first { $0.hasPrefix("Max-Age=") }.flatMap { Int($0.dropFirst(8)) }
        #expect(maxAge.map { $0 > 13 * 86_400 } == true, "the two-week lifetime: \(kept)")

        let browser = site.client()
        let plain = TestResponse.cookieAttributes(try #require(await browser.signIn("alice").setCookie()))
        #expect(!plain.contains { $0.hasPrefix("Max-Age=") || $0.hasPrefix("Expires=") })
        let hash = try #require(browser.sessionID.map(SessionMiddleware.hash))
        let expiresIn = try await site.services.database.read { db in
            try db.queryOne("SELECT expires_at - last_seen AS remaining FROM sessions WHERE id_hash = ?", hash)?.int("remaining")
        }
        #expect(expiresIn == 12 * 3_600, "a browser session ends on the server after twelve idle hours")
    }

    @Test func sessionCookieIsSecureWhenTheSiteIsServedOverHTTPS() async throws {
        let site = try await TestSite.make(["BASE_URL": "https://latchkey.example.com"])
        try await site.createUser("alice")
        let client = site.client()
        let response = await client.signIn("alice")
        let attributes = TestResponse.cookieAttributes(try #require(response.setCookie()))
        #expect(attributes.contains("Secure"))
        #expect(attributes.contains("HttpOnly"))
        #expect(attributes.contains("SameSite=Lax"))
        let signOut = await client.signOut()
        #expect(TestResponse.cookieAttributes(try #require(signOut.setCookie())).contains("Secure"))
    }

    @Test func sessionCookieValueIsA256BitRandomToken() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let first = site.client(), second = site.client()
        await first.signIn("alice")
        await second.signIn("alice")
        let a = try #require(first.sessionID), b = try #require(second.sessionID)
        #expect(a.count == 43)
        #expect(a != b)
    }
}
