import Accounts
import FakeProviders
import Foundation
import Identity
import Testing
import Web
import WebTesting

/// Issue 14, item 6: a person deletes their own account. Everything tied to it goes (sessions,
/// links and their tokens, API tokens), grants are revoked at the provider, the address gets a
/// last notice, and the audit log keeps the deletion under the account's id.
@Suite struct AccountDeletionTests {
    private func deleteAccount(_ client: TestClient, confirm: String) async -> TestResponse {
        let page = await client.get("/account/delete")
        let token = TestClient.hiddenField("csrf_token", in: page.text) ?? ""
        return await client.post("/account/delete", form: [("csrf_token", token), ("confirm", confirm)])
    }

    @Test func deletingEndsEverythingRevokesAtGitHubAndMailsTheAddress() async throws {
        try await SocialSite.with([.github]) { social in
            let site = social.site
            let alice = try await site.createUser("alice")
            let client = site.client()
            await client.signIn("alice")
            _ = try await social.connect("github", client)
            let grant = try #require(social.github.issuedAccessTokens.last)
            let elsewhere = site.client()
            await elsewhere.signIn("alice")
            let issued = try await site.services.database.write { db in
                try APITokenRepository.issue(userID: alice.id, lifetime: 3600, now: Clock.now, in: db)
            }
            _ = try await site.deliverMail()

            let response = await deleteAccount(client, confirm: "Alice")
            #expect(response.status.code == 200)
            #expect(response.text.contains("Your account is deleted"))
            #expect(response.setCookie()?.contains("Max-Age=0") == true)

            // The row is a tombstone: no name, no address, no password, no way in.
            let tombstone = try #require(try await social.user(id: alice.id))
            #expect(tombstone.username == "[deleted #\(alice.id)]")
            #expect(tombstone.email == nil && !tombstone.hasPassword && tombstone.isDisabled && tombstone.deletedAt != nil)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 0, tokens: 0))
            #expect(try await site.query("SELECT id_hash FROM sessions WHERE user_id = ?", alice.id).isEmpty)
            #expect(try await site.query("SELECT id FROM api_tokens WHERE user_id = ?", alice.id).isEmpty)
            #expect(await elsewhere.get("/account").location?.hasPrefix("/login") == true)
            #expect(await site.client().get("/api/me", headers: ["Authorization": "Bearer \(issued.token)"]).status.code == 401)
            // Revoked at GitHub.
            let revoke = try #require(social.github.requests(to: "/applications/github-client-id/grant").first)
            #expect(revoke.method == .delete)
            #expect(!social.github.isTokenActive(grant))
            // The notice is queued and sent although the account is gone.
            #expect(try await site.outboxKinds(to: "alice@example.com").contains("account_deleted"))
            let mail = try await site.deliverMail()
            #expect(mail.contains { $0.to == ["alice@example.com"] && $0.text.contains("Your Latchkey account alice was just deleted") })
            // The audit log keeps it, by id.
            let rows = try await site.auditRows("account_deleted")
            #expect(rows.count == 1)
            #expect(rows.first?.actor == alice.id && rows.first?.target == alice.id)
            #expect(rows.first?.detail == "linked=1 sessions=2 api_tokens=1")
            // The name and address are free again; the id is not handed out twice.
            await site.client().signUp("alice")
            let newcomer = try #require(try await site.user("alice"))
            #expect(newcomer.id != alice.id)
            #expect(await site.client().signIn("[deleted #\(alice.id)]", password: "").status.code == 401)
        }
    }

    @Test func theUsernameMustBeTypedToConfirm() async throws {
        let site = try await TestSite.make()
        try await site.createUser("bob")
        let client = site.client()
        await client.signIn("bob")
        let response = await deleteAccount(client, confirm: "not bob")
        #expect(response.status.code == 422)
        #expect(response.alert == "Type your username, bob, to confirm.")
        #expect(try await site.user("bob")?.deletedAt == nil)
        #expect(try await site.auditCount("account_deleted") == 0)
    }

    @Test func theLastAdministratorCannotLeave() async throws {
        let site = try await TestSite.make()
        let root = try await site.adminClient("root")
        #expect(await deleteAccount(root, confirm: "root").status.code == 409)
        #expect(try await site.user("root")?.deletedAt == nil)
        // With another administrator, they can.
        try await site.createUser("second", admin: true)
        let rootID = try #require(try await site.user("root")).id
        #expect(await deleteAccount(root, confirm: "root").status.code == 200)
        #expect(try await site.user("root") == nil)
        // The tombstone shows in the console, but nobody is left to act on.
        let second = site.client()
        await second.signIn("second")
        #expect(await second.get("/admin/users/\(rootID)").text.contains("deleted by its owner"))
        #expect(await second.adminPost("/admin/users/\(rootID)/admin/grant").status.code == 409)
        #expect(try await site.query("SELECT is_admin FROM users WHERE id = ?", rootID).first?.bool("is_admin") == false)
    }
}
