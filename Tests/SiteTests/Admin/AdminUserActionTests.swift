import Accounts
import Testing
import Web
import WebTesting

/// What an administrator does to a user account: each action works, comes back to the user's
/// page, and leaves an audit row naming the administrator and the user.
@Suite struct AdminUserActionTests {
    @Test func grantsAndRevokesAdmin() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let root = try #require(try await site.user("root"))
        let bob = try await site.createUser("bob")

        let granted = await client.adminPost("/admin/users/\(bob.id)/admin/grant")
        #expect(granted.status.code == 303)
        #expect(granted.location == "/admin/users/\(bob.id)")
        #expect(try await site.user("bob")?.isAdmin == true)
        #expect(try await site.auditRows("admin_granted").map(\.actor) == [root.id])
        #expect(try await site.auditRows("admin_granted").map(\.target) == [bob.id])

        await client.adminPost("/admin/users/\(bob.id)/admin/revoke")
        #expect(try await site.user("bob")?.isAdmin == false)
        #expect(try await site.auditRows("admin_revoked").count == 1)
        #expect(await client.follow(granted).flashes.contains { $0.contains("bob") })
    }

    @Test func disablingEndsTheUsersSessionsAndEnablingRestoresSignIn() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob")
        let browser = site.client()
        await browser.signIn("bob")
        #expect(try await site.sessionCount(of: "bob") == 1)

        #expect(await admin.adminPost("/admin/users/\(bob.id)/disable").status.code == 303)
        #expect(try await site.user("bob")?.isDisabled == true)
        #expect(try await site.sessionCount(of: "bob") == 0)
        #expect(await browser.get("/account").status.code == 303)
        #expect(await site.client().signIn("bob").status.code == 403)
        #expect(try await site.auditRows("user_disabled").first?.detail == "sessions_ended=1 api_tokens=0")

        await admin.adminPost("/admin/users/\(bob.id)/enable")
        #expect(try await site.user("bob")?.isDisabled == false)
        #expect(try await site.auditRows("user_enabled").count == 1)
        #expect(await site.client().signIn("bob").status.code == 303)
    }

    @Test func endsOneSessionOrAll() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob")
        let laptop = site.client(), phone = site.client(), tablet = site.client()
        for browser in [laptop, phone, tablet] { await browser.signIn("bob") }
        let hashes = try await site.query("SELECT id_hash FROM sessions WHERE user_id = ? ORDER BY created_at", bob.id).map { try $0.string("id_hash") }
        #expect(hashes.count == 3)

        let page = await admin.get("/admin/users/\(bob.id)")
        #expect(page.text.contains(hashes[0]))
        await admin.adminPost("/admin/users/\(bob.id)/sessions/end", [("session", hashes[0])])
        #expect(try await site.sessionCount(of: "bob") == 2)
        #expect(try await site.auditRows("admin_session_ended").count == 1)

        // A session id of another user does nothing.
        let rootHash = try #require(try await site.query("SELECT id_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'root'")
            .first?.string("id_hash"))
        await admin.adminPost("/admin/users/\(bob.id)/sessions/end", [("session", rootHash)])
        #expect(try await site.sessionCount(of: "root") == 1)
        #expect(try await site.auditRows("admin_session_ended").count == 1)

        await admin.adminPost("/admin/users/\(bob.id)/sessions/end-all")
        #expect(try await site.sessionCount(of: "bob") == 0)
        #expect(try await site.auditRows("admin_sessions_ended").first?.detail == "count=2 api_tokens=0")
        #expect(await admin.get("/admin").status.code == 200)
    }

    @Test func administratorCannotDisableOrDemoteThemselves() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let root = try #require(try await site.user("root"))
        await admin.adminPost("/admin/users/\(root.id)/disable")
        await admin.adminPost("/admin/users/\(root.id)/admin/revoke")
        let me = try await site.user("root")
        #expect(me?.isDisabled == false)
        #expect(me?.isAdmin == true)
        #expect(await admin.get("/admin").status.code == 200)
        #expect(try await site.auditCount("user_disabled") + site.auditCount("admin_revoked") == 0)
    }

    @Test func userPageShowsProfileSessionsAndHistory() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob", email: "bob@example.net")
        await site.client().signIn("bob")
        await admin.adminPost("/admin/users/\(bob.id)/admin/grant")
        let page = await admin.get("/admin/users/\(bob.id)")
        #expect(page.status.code == 200)
        for text in ["bob@example.net", "Active sessions", "admin_granted", "/admin/users/\(bob.id)/disable", "Revoke admin"] {
            #expect(page.text.contains(text), "missing \(text)")
        }
    }
}

extension AdminUserActionTests {
    /// The audit row is written in the change's transaction: when it cannot be written, the
    /// change does not happen either (before, the action committed and the audit failed after).
    @Test func anActionWhoseAuditRowFailsChangesNothing() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob")
        let browser = site.client()
        await browser.signIn("bob")
        _ = try await site.services.database.write { db in try db.execute("DROP TABLE audit_log") }

        #expect(await admin.adminPost("/admin/users/\(bob.id)/disable").status.code == 500)
        #expect(try await site.user("bob")?.isDisabled == false)
        #expect(try await site.sessionCount(of: "bob") == 1, "the sessions were not ended either")
        #expect(await admin.adminPost("/admin/users/\(bob.id)/admin/grant").status.code == 500)
        #expect(try await site.user("bob")?.isAdmin == false)
    }
}
