import Foundation
import Testing
import Web
import WebTesting

/// `next=` sends a visitor back where they were after signing in, but only within this site.
@Suite struct NextRedirectTests {
    static let hostile = [
        "//evil.com", "/\\evil.com", "\\\\evil.com", "https://evil.com", "http:evil.com", "javascript:alert(1)",
        "/%2F%2Fevil.com", "/%5Cevil.com", "///evil.com", "/\\/evil.com", "/ok\r\nSet-Cookie: x=y", "/ok\nx",
        "/\t/evil.com", "/ok\u{0}", " /ok", "/ok page", "evil.com", "", "/\\\\evil.com",
    ]

    @Test(arguments: hostile)
    func postedHostileNextIsIgnored(next: String) async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let response = await site.client().signIn("alice", next: next)
        #expect(response.status.code == 303)
        #expect(response.location == "/account")
    }

    @Test(arguments: hostile)
    func hostileNextInTheQueryIsNotCarriedIntoTheForm(next: String) async throws {
        let site = try await TestSite.make()
        let page = await site.client().get("/login?next=" + FormData.encode(next))
        #expect(page.status.code == 200)
        #expect(!page.text.contains("name=\"next\""))
    }

    @Test(arguments: hostile)
    func hostileNextIsIgnoredForAVisitorAlreadySignedIn(next: String) async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let response = await client.get("/login?next=" + FormData.encode(next))
        #expect(response.status.code == 303)
        #expect(response.location == "/account")
    }

    @Test func unencodedDoubleSlashInTheQueryIsIgnored() async throws {
        let site = try await TestSite.make()
        let page = await site.client().get("/login?next=/%2F%2Fevil.com")
        #expect(page.status.code == 200)
        #expect(!page.text.contains("name=\"next\""))
    }

    @Test func localPathIsHonouredWhenPosted() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let response = await site.client().signIn("alice", next: "/ok")
        #expect(response.location == "/ok")
    }

    @Test func localPathInTheQueryTravelsThroughTheForm() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        let page = await client.get("/login?next=%2Fok%3Fpage")
        let next = try #require(TestClient.hiddenField("next", in: page.text))
        #expect(next == "/ok?page")
        let token = try #require(TestClient.hiddenField("csrf_token", in: page.text))
        let response = await client.post("/login", form: [("csrf_token", token), ("username", "alice"), ("password", TestSite.password),
                                                          ("next", next)])
        #expect(response.location == "/ok?page")
    }

    @Test func localPathIsHonouredForAVisitorAlreadySignedIn() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let response = await client.get("/login?next=/ok")
        #expect(response.location == "/ok")
    }

    @Test func failedSignInKeepsALocalNextForTheRetry() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let response = await site.client().signIn("alice", password: "wrong password", next: "/ok")
        #expect(response.status.code == 401)
        #expect(TestClient.hiddenField("next", in: response.text) == "/ok")
    }

    @Test func protectedPageSendsTheVisitorBackAfterSignIn() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        let bounce = await client.get("/account")
        #expect(bounce.location == "/login?next=%2Faccount")
        let page = await client.follow(bounce)
        let next = try #require(TestClient.hiddenField("next", in: page.text))
        let response = await client.signIn("alice", next: next)
        #expect(response.location == "/account")
    }
}
