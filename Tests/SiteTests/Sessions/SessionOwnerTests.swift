import Accounts
import Foundation
import IdentityWeb
import Site
import Storage
import Testing
import Web

/// The session store reads the signed-in user with the session, in one trip (issue 17: the
/// account page's third trip to the database); what it read must be as current as a trip of
/// its own would have been.
@Suite struct SessionOwnerTests {
    @Test func theStoreReadsTheUserWithTheSession() async throws {
        let site = try await TestSite.make()
        let alice = try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let idHash = try #require(try await site.query("SELECT id_hash FROM sessions WHERE user_id = ?", alice.id).first?.string("id_hash"))
        let record = try #require(try await site.services.sessions.load(idHash: idHash))
        #expect((record.owner?.value as? User)?.id == alice.id)

        // Disabled between two requests: the next page already reads as signed out.
        try await site.services.database.write { db in _ = try db.execute("UPDATE users SET is_disabled = 1 WHERE id = ?", alice.id) }
        let again = try #require(try await site.services.sessions.load(idHash: idHash))
        #expect(again.owner != nil && again.owner?.value == nil, "read, and no longer counts")
        #expect(await client.get("/account").status.code == 303)
    }

    @Test func anAnonymousSessionReadsNoOwner() async throws {
        let site = try await TestSite.make()
        let store = DatabaseSessionStore(database: site.services.database, owner: { _, _ in
            Issue.record("no user to read for an anonymous session")
            return nil
        })
        let now = Int(Date().timeIntervalSince1970)
        let record = SessionRecord(idHash: String(repeating: "a", count: 64), userID: nil, values: ["k": "v"], createdAt: now, lastSeen: now,
                                   expiresAt: now + 60)
        try await store.save(record, client: SessionClient(remoteIP: "127.0.0.1", userAgent: nil))
        #expect(try await store.load(idHash: record.idHash)?.owner == nil)
    }
}
