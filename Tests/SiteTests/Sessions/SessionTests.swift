import Foundation
import Security
import Testing
import WebTesting

/// Server-side sessions: ids rotate at sign-in, junk cookies mean "signed out", and only the id's
/// hash is stored.
@Suite struct SessionTests {
    @Test func sessionIDChangesAtSignInAndTheOldOneStopsWorking() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        _ = await client.get("/login")
        let before = try #require(client.sessionID)
        let response = await client.signIn("alice")
        #expect(response.location == "/account")
        let after = try #require(client.sessionID)
        #expect(after != before)
        #expect(try await site.query("SELECT id_hash FROM sessions WHERE id_hash = ?", Hex.encode(SHA256.hash(before))).isEmpty)

        let attacker = site.client()
        attacker.setCookie("latchkey_session", before)
        #expect(await attacker.get("/account").status.code == 303)
        #expect(await client.get("/account").status.code == 200)
    }

    @Test func sessionIDChangesAtSignUp() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        _ = await client.get("/signup")
        let before = try #require(client.sessionID)
        await client.signUp("alice")
        let after = try #require(client.sessionID)
        #expect(after != before)
    }

    @Test(arguments: [
        "garbage", "", String(repeating: "A", count: 43), String(repeating: "A", count: 42) + "=",
        String(repeating: "x", count: 4000), "\"quoted\"", "../../etc/passwd",
    ])
    func unknownOrMalformedCookieCountsAsSignedOut(value: String) async throws {
        let site = try await TestSite.make()
        let client = site.client()
        client.setCookie("latchkey_session", value)
        let account = await client.get("/account")
        #expect(account.status.code == 303)
        #expect(account.location == "/login?next=%2Faccount")
        #expect(await client.get("/").status.code == 200)
        #expect(await client.get("/login").status.code == 200)
    }

    @Test func tamperedCookieCountsAsSignedOut() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        var id = Array(try #require(client.sessionID))
        id[10] = id[10] == "A" ? "B" : "A"
        let tampered = site.client()
        tampered.setCookie("latchkey_session", String(id))
        #expect(await tampered.get("/account").status.code == 303)
        #expect(await client.get("/account").status.code == 200)
    }

    @Test func onlyTheSHA256OfTheSessionIDIsStored() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let id = try #require(client.sessionID)
        let rows = try await site.query("SELECT id_hash, data FROM sessions")
        #expect(rows.count == 1)
        for row in rows {
            #expect(try row.string("id_hash") != id)
            #expect(try !row.string("data").contains(id))
        }
        #expect(try rows.first?.string("id_hash") == Hex.encode(SHA256.hash(id)))
    }

    @Test func anonymousPageViewsWithoutFormsStoreNoSession() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let home = await client.get("/")
        #expect(home.status.code == 200)
        #expect(home.setCookie() == nil)
        #expect(try await site.count("sessions") == 0)
    }

    @Test func sessionRecordsTheBrowserAndAddressForTheAccountPage() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        client.defaultHeaders.set("User-Agent", "TestBrowser/1.0")
        client.remoteAddress = "198.51.100.7"
        await client.signIn("alice")
        let page = await client.get("/account")
        #expect(page.text.contains("TestBrowser/1.0"))
        #expect(page.text.contains("198.51.100.7"))
    }

    @Test func sessionBehindATrustedProxyRecordsTheForwardedClientAddress() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1"])
        try await site.createUser("alice")
        let client = site.client()
        client.remoteAddress = "10.0.0.1"
        client.defaultHeaders.set("X-Forwarded-For", "203.0.113.9")
        await client.signIn("alice")
        let page = await client.get("/account")
        #expect(page.text.contains("203.0.113.9"))
        #expect(try await site.query("SELECT remote_ip FROM sessions").first?.optionalString("remote_ip") == "203.0.113.9")
    }

    @Test func idleExpiredSessionCountsAsSignedOutAndIsDeleted() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        _ = try await site.services.database.write { db in try db.execute("UPDATE sessions SET expires_at = 1") }
        #expect(await client.get("/account").status.code == 303)
        #expect(try await site.count("sessions") == 0)
    }

    @Test func sessionOlderThanTheAbsoluteLimitCountsAsSignedOut() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let longAgo = Int(Date().timeIntervalSince1970) - 31 * 86_400
        _ = try await site.services.database.write { db in try db.execute("UPDATE sessions SET created_at = ?", longAgo) }
        #expect(await client.get("/account").status.code == 303)
        #expect(try await site.count("sessions") == 0)
    }
}
