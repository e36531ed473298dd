import Foundation
import Testing
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
        #expect(attributes.contains { $0.hasPrefix("Max-Age=") && Int($0.dropFirst(8)).map { $0 > 0 } == true })
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
