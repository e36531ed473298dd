import Foundation
import Identity
import Security
import Web
import Testing
import WebTesting

/// Server-side sessions: ids rotate at sign-in, junk cookies mean "signed out", and only the id's
/// hash is stored.
@Suite struct SessionTests {
    /// A stored, anonymous session an attacker made for itself, whose id it could plant in a
    /// victim's browser.
    static func plantedSession(_ site: TestSite) async throws -> String {
        let id = SessionMiddleware.newToken()
        try await site.services.database.write { db in
            try SessionRepository.save(StoredSession(idHash: SessionMiddleware.hash(id), userID: nil, values: ["note": "planted"],
                                                     createdAt: Clock.now, lastSeen: Clock.now, expiresAt: Clock.now + 3600), in: db)
        }
        return id
    }

    /// A session id planted before sign-in (here: an attacker's own anonymous session, stored)
    /// is worthless after it.
    @Test func sessionIDChangesAtSignInAndTheOldOneStopsWorking() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        let before = try await Self.plantedSession(site)
        client.setCookie("latchkey_session", before)
        _ = await client.get("/login")
        #expect(client.sessionID == before)
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
        let before = try await Self.plantedSession(site)
        client.setCookie("latchkey_session", before)
        await client.signUp("alice")
        let after = try #require(client.sessionID)
        #expect(after != before)
    }

    /// Issue 13: each anonymous `GET /login` used to insert a session row. The form's CSRF token
    /// now travels in a cookie of its own, and signing in with it works.
    @Test func anonymousFormsWriteNoSessionRows() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        for path in Array(repeating: "/login", count: 50) + ["/signup", "/"] {
            let visitor = site.client()
            let page = await visitor.get(path)
            #expect(page.status.code == 200)
            #expect(visitor.sessionID == nil, "\(path) set no session cookie")
        }
        #expect(try await site.count("sessions") == 0)
        let visitor = site.client()
        #expect(await visitor.signIn("alice").location == "/account")
        #expect(try await site.count("sessions") == 1, "signing in makes the one row")
    }

    @Test func anAnonymousFormPostWithoutItsCSRFCookieIsRefused() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let visitor = site.client()
        let token = await visitor.csrfToken(from: "/login")
        visitor.setCookie("latchkey_session_csrf", nil)
        let refused = await visitor.post("/login", form: [("csrf_token", token), ("username", "alice"), ("password", TestSite.password)])
        #expect(refused.status.code == 403)
        visitor.setCookie("latchkey_session_csrf", SessionMiddleware.newToken())
        let mismatched = await visitor.post("/login", form: [("csrf_token", token), ("username", "alice"), ("password", TestSite.password)])
        #expect(mismatched.status.code == 403)
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
