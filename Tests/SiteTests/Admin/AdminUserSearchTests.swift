import Accounts
import Foundation
import Storage
import Testing
import Web
import WebTesting

/// The users list: prefix search by username, email, provider login or provider uid, and keyset
/// pagination (`?after=<id>`) that visits every user once.
@Suite struct AdminUserSearchTests {
    /// The user ids listed on a users page, in order.
    static func listedIDs(_ page: TestResponse) -> [Int64] {
        page.text.components(separatedBy: "data-user-id=\"").dropFirst().compactMap { piece in
            piece.split(separator: "\"", maxSplits: 1).first.flatMap { Int64($0) }
        }
    }

    /// The `rel="next"` link of a users page.
    static func nextLink(_ page: TestResponse) -> String? {
        guard let start = page.text.range(of: "rel=\"next\" href=\"") else { return nil }
        let rest = page.text[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
    }

    /// Follows `next` links from `path`, returning every id seen and how many pages it took.
    static func walk(_ client: TestClient, from path: String) async -> (ids: [Int64], pages: Int) {
        var ids: [Int64] = [], pages = 0
        var next: String? = path
        while let current = next, pages < 50 {
            let page = await client.get(current)
            #expect(page.status.code == 200)
            ids += listedIDs(page)
            pages += 1
            next = nextLink(page)
        }
        return (ids, pages)
    }

    @Test func keysetPaginationVisitsEveryUserOnceInOrder() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let seeded = try await site.seedUsers(123)
        let (ids, pages) = await Self.walk(client, from: "/admin/users")
        // Newest first by default.
        let all = try await site.query("SELECT id FROM users ORDER BY id DESC").map { try $0.int64("id") }
        #expect(ids == all)
        #expect(Set(ids).count == ids.count)
        #expect(pages == 3)
        #expect(Set(seeded).isSubset(of: Set(ids)))
        let second = await client.get("/admin/users?after=\(all[49])")
        #expect(Self.listedIDs(second) == Array(all[50..<100]))
    }

    @Test func paginatesSearchResultsToo() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        try await site.seedUsers(60, prefix: "alpha")
        try await site.seedUsers(40, prefix: "beta")
        let (ids, pages) = await Self.walk(client, from: "/admin/users?q=Alpha")
        #expect(ids.count == 60)
        #expect(Set(ids).count == 60)
        #expect(pages == 2)
        let names = try await site.query("SELECT username FROM users WHERE id IN (\(ids.map(String.init).joined(separator: ",")))").map { try $0.string("username") }
        #expect(names.allSatisfy { $0.hasPrefix("alpha") })
    }

    @Test func findsByUsernameEmailProviderLoginAndUid() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let carol = try await site.createUser("carol", email: "c.smith@example.com")
        let dave = try await site.createUser("dave")
        let erin = try await site.createUser("erin")
        try await site.seedLink(userID: dave.id, provider: "github", uid: "7654321", login: "DaveHub")
        try await site.seedLink(userID: erin.id, provider: "linkedin", uid: "xY9-sub", login: nil)
        try await site.seedUsers(30)
        let cases: [(String, [Int64])] = [
            ("car", [carol.id]), ("CAROL", [carol.id]), ("c.smith@", [carol.id]), ("davehub", [dave.id]), ("DaveH", [dave.id]),
            ("765432", [dave.id]), ("xY9", [erin.id]), ("nobody", []), ("%", []), ("_", []),
        ]
        for (query, expected) in cases {
            let page = await client.get("/admin/users?q=" + FormData.encode(query))
            #expect(page.status.code == 200)
            #expect(Self.listedIDs(page) == expected, "q=\(query)")
        }
        #expect(Self.listedIDs(await client.get("/admin/users?q=member00")).count == 30)
    }

    @Test func searchQueriesUseIndexesNotFullScans() async throws {
        let site = try await TestSite.make()
        guard site.services.database.dialect == .sqlite else { return }
        let plan = try await site.services.database.read { db in
            try db.query("EXPLAIN QUERY PLAN SELECT id FROM users WHERE username_key >= ? AND username_key < ? AND id > ?", "a", "b", 0)
                + db.query("EXPLAIN QUERY PLAN SELECT id FROM users WHERE email_key >= ? AND email_key < ? AND id > ?", "a", "b", 0)
                + db.query("EXPLAIN QUERY PLAN SELECT user_id FROM social_accounts WHERE lower(login) >= ? AND lower(login) < ? AND user_id > ?", "a", "b", 0)
                + db.query("EXPLAIN QUERY PLAN SELECT user_id FROM social_accounts WHERE provider_uid >= ? AND provider_uid < ? AND user_id > ?", "a", "b", 0)
        }
        let details = try plan.map { try $0.string("detail") }
        #expect(details.count == 4)
        for detail in details { #expect(detail.contains("USING") && detail.contains("INDEX"), "\(detail)") }
    }
}
