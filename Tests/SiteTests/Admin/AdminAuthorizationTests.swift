import Accounts
import Testing
import Web
import WebTesting

/// Every page and action of the console is for administrators only, and every action needs the
/// CSRF token.
@Suite struct AdminAuthorizationTests {
    /// Every console page, with real ids.
    static func pages(user: Int64) -> [String] {
        ["/admin", "/admin/users", "/admin/users?q=bo", "/admin/users/\(user)", "/admin/providers", "/admin/site-connections", "/admin/audit"]
    }

    /// Every console action, with real ids.
    static func actions(user: Int64, account: Int64) -> [String] {
        ["/admin/users/\(user)/sessions/end", "/admin/users/\(user)/sessions/end-all",
         "/admin/users/\(user)/accounts/\(account)/refresh", "/admin/users/\(user)/accounts/\(account)/revoke",
         "/admin/users/\(user)/accounts/\(account)/unlink", "/admin/users/\(user)/admin/grant", "/admin/users/\(user)/admin/revoke",
         "/admin/users/\(user)/disable", "/admin/users/\(user)/enable", "/admin/site-connections", "/admin/site-connections/1/check",
         "/admin/site-connections/1/remove"]
    }

    /// A site with a signed-in non-admin `alice` and a user `bob` with a linked account.
    static func setUp() async throws -> (TestSite, TestClient, Int64, Int64) {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let bob = try await site.createUser("bob")
        let account = try await site.seedLink(userID: bob.id, provider: "github", uid: "42", login: "bobcat")
        let client = site.client()
        await client.signIn("alice")
        return (site, client, bob.id, account)
    }

    @Test func nonAdminGetsForbiddenOnEveryPage() async throws {
        let (_, client, bob, _) = try await Self.setUp()
        for page in Self.pages(user: bob) {
            let response = await client.get(page)
            #expect(response.status.code == 403, "\(page)")
        }
    }

    @Test func nonAdminGetsForbiddenOnEveryActionAndNothingChanges() async throws {
        let (site, client, bob, account) = try await Self.setUp()
        let token = await client.csrfToken(from: "/account")
        #expect(!token.isEmpty)
        for action in Self.actions(user: bob, account: account) {
            let response = await client.post(action, form: [("csrf_token", token), ("session", "x"), ("page_id", "1"), ("access_token", "t")])
            #expect(response.status.code == 403, "\(action)")
        }
        #expect(try await site.count("social_accounts") == 1)
        #expect(try await site.user("bob")?.isDisabled == false)
        #expect(try await site.user("bob")?.isAdmin == false)
        #expect(try await site.query("SELECT COUNT(*) AS n FROM audit_log WHERE action LIKE 'admin_%' OR action LIKE 'user_%'").first?.int("n") == 0)
    }

    @Test func anonymousVisitorIsSentToSignInFromEveryPage() async throws {
        let (site, _, bob, _) = try await Self.setUp()
        for page in Self.pages(user: bob) {
            let response = await site.client().get(page)
            #expect(response.status.code == 303, "\(page)")
            #expect(response.location == "/login?next=" + FormData.encode(page), "\(page)")
        }
    }

    @Test func anonymousVisitorIsSentToSignInFromEveryAction() async throws {
        let (site, _, bob, account) = try await Self.setUp()
        let client = site.client()
        let token = await client.csrfToken(from: "/login")
        for action in Self.actions(user: bob, account: account) {
            let response = await client.post(action, form: [("csrf_token", token)])
            #expect(response.status.code == 303, "\(action)")
            #expect(response.location == "/login", "\(action)")
        }
        #expect(try await site.count("social_accounts") == 1)
    }

    @Test func adminActionWithoutCSRFTokenIsForbidden() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let bob = try await site.createUser("bob")
        for fields in [[], [("csrf_token", "forged")]] {
            let response = await client.post("/admin/users/\(bob.id)/disable", form: fields)
            #expect(response.status.code == 403)
        }
        #expect(try await site.user("bob")?.isDisabled == false)
        #expect(try await site.auditCount("user_disabled") == 0)
    }

    @Test func adminSeesEveryPage() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let bob = try await site.createUser("bob")
        for page in Self.pages(user: bob.id) {
            let response = await client.get(page)
            #expect(response.status.code == 200, "\(page): \(response.text.prefix(300))")
            #expect(response.isHTML)
        }
    }

    @Test func unknownUserIsNotFound() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        #expect(await client.get("/admin/users/999999").status.code == 404)
        #expect(await client.get("/admin/users/abc").status.code == 404)
        #expect(await client.adminPost("/admin/users/999999/disable").status.code == 404)
    }
}
