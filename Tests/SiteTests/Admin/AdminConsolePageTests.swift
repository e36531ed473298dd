import Identity
import Accounts
import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// The dashboard, providers page and audit log show what an administrator needs.
@Suite struct AdminConsolePageTests {
    @Test func dashboardCountsUsersLinksExpiringTokensAndReconnections() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let ids = try await site.seedUsers(4)
        let now = Clock.now
        try await site.seedLink(userID: ids[0], provider: "github", uid: "1", login: "one")
        try await site.seedLink(userID: ids[1], provider: "github", uid: "2", login: "two", expiresAt: now + 3 * 86_400)
        try await site.seedLink(userID: ids[2], provider: "linkedin", uid: "3", login: nil, expiresAt: now + 30 * 86_400)
        try await site.seedLink(userID: ids[3], provider: "facebook", uid: "4", login: nil, status: "reconnect")
        try await site.seedLink(userID: ids[3], provider: "oidc", uid: "5", login: nil, expiresAt: now - 60)

        let stats = try await site.services.database.read { db in try AdminStatistics.read(now: now, in: db) }
        #expect(stats.users == 5)
        #expect(stats.admins == 1)
        #expect(stats.linkedAccounts.map(\.provider) == ["facebook", "github", "linkedin", "oidc"])
        #expect(stats.linkedAccounts.map(\.count) == [1, 2, 1, 1])
        #expect(stats.expiringSoon == 1)
        #expect(stats.needingReconnection == 2)

        let page = await client.get("/admin")
        #expect(page.status.code == 200)
        for text in ["<dt>Users</dt><dd><a href=\"/admin/users\">5</a></dd>", "<dt>Administrators</dt><dd><a href=\"/admin/users?filter=admins\">1</a></dd>",
                     "Tokens expiring within 7 days: <a href=\"/admin/users?filter=expiring\">1</a>",
                     "Accounts needing reconnection: <a href=\"/admin/users?filter=reconnect\">2</a>", "member0002"] {
            #expect(page.text.contains(text), "missing \(text)")
        }
    }

    @Test func providersPageShowsStatusCallbackScopesAndGraphVersion() async throws {
        let site = try await TestSite.make(["BASE_URL": "https://id.example.org", "GITHUB_CLIENT_ID": "gh", "GITHUB_CLIENT_SECRET": "s",
                                            "FACEBOOK_GRAPH_VERSION": "v26.0"])
        let client = try await site.adminClient()
        let page = await client.get("/admin/providers")
        #expect(page.status.code == 200)
        for text in ["https://id.example.org/auth/github/callback", "https://id.example.org/auth/facebook/callback", "read:user user:email",
                     "FACEBOOK_CLIENT_ID and FACEBOOK_CLIENT_SECRET are not set", "SIBLING_CLIENT_ID, SIBLING_CLIENT_SECRET and SIBLING_PROVIDER_URL are not set", "v26.0"] {
            #expect(page.text.contains(text), "missing \(text)")
        }
    }

    @Test func auditLogPagesBackwardsWithoutGapsOrRepeats() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        try await site.services.database.write { db in
            for n in 0..<120 { try AuditLog.record("test_event", actor: nil, target: nil, detail: "event-\(n)", ip: nil, now: n, in: db) }
        }
        var seen: [String] = []
        var next: String? = "/admin/audit"
        var pages = 0
        while let path = next, pages < 10 {
            let page = await client.get(path)
            #expect(page.status.code == 200)
            seen += page.text.components(separatedBy: "<td>event-").dropFirst().compactMap { $0.split(separator: "<").first.map { "event-" + $0 } }
            pages += 1
            next = page.text.range(of: "rel=\"next\" href=\"").map { start in
                let rest = page.text[start.upperBound...]
                return String(rest[..<rest.firstIndex(of: "\"")!])
            }
        }
        #expect(seen.count == 120)
        #expect(Set(seen).count == 120)
        #expect(seen.first == "event-119")
        #expect(pages == 3)
    }
}
