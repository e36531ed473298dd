import Accounts
import FakeProviders
import Foundation
import Identity
import Storage
import Testing
import Web
import WebTesting

/// The admin console for real work (issue 16, point 6): the users list's total, pages both
/// ways, sorts, filters, substring search and CSV export; failed sign-ins and lockouts in the
/// audit log and its filters; unlocking an account; administrators landing on the console.
@Suite struct AdminConsoleWorkTests {
    static func link(_ page: TestResponse, _ rel: String) -> String? {
        guard let start = page.text.range(of: "rel=\"\(rel)\" href=\"") else { return nil }
        let rest = page.text[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
    }

    static func ids(_ page: TestResponse) -> [Int64] { AdminUserSearchTests.listedIDs(page) }

    static func names(_ site: TestSite, _ client: TestClient, _ path: String) async throws -> [String] {
        let page = await client.get(path)
        #expect(page.status.code == 200, "\(path): \(page.status.code)")
        let ids = Self.ids(page)
        var names: [String] = []
        for id in ids { names.append(try await site.query("SELECT username FROM users WHERE id = ?", id)[0].string("username")) }
        return names
    }

    // MARK: The users list

    @Test func pagesForwardsAndBackWithATotal() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        try await site.seedUsers(120)
        let first = await client.get("/admin/users")
        #expect(first.text.contains("Matching users: 121"))
        #expect(Self.link(first, "prev") == nil)
        let second = await client.get(try #require(Self.link(first, "next")))
        let third = await client.get(try #require(Self.link(second, "next")))
        #expect(Self.link(third, "next") == nil)
        #expect(Self.ids(first).count == 50 && Self.ids(second).count == 50 && Self.ids(third).count == 21)
        // Back again: the same pages, in the same order.
        let secondAgain = await client.get(try #require(Self.link(third, "prev")))
        #expect(Self.ids(secondAgain) == Self.ids(second))
        let firstAgain = await client.get(try #require(Self.link(secondAgain, "prev")))
        #expect(Self.ids(firstAgain) == Self.ids(first))
        #expect(Self.link(firstAgain, "prev") == nil)
        #expect(Self.link(firstAgain, "next") != nil)
    }

    @Test func sortsNewestOldestAndByUsername() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient("root")
        try await site.createUser("carol")
        try await site.createUser("alice")
        try await site.createUser("Bob")
        #expect(try await Self.names(site, client, "/admin/users") == ["Bob", "alice", "carol", "root"])
        #expect(try await Self.names(site, client, "/admin/users?sort=oldest") == ["root", "carol", "alice", "Bob"])
        #expect(try await Self.names(site, client, "/admin/users?sort=username") == ["alice", "Bob", "carol", "root"])
        // Paging by username goes on where it stopped, both ways.
        let page = try await site.services.database.read { db in
            try UserDirectory.list(.init(sort: .username), cursor: nil, limit: 2, now: 0, in: db)
        }
        #expect(page.users.map(\.username) == ["alice", "Bob"])
        let next = try await site.services.database.read { db in
            try UserDirectory.list(.init(sort: .username), cursor: page.next, limit: 2, now: 0, in: db)
        }
        #expect(next.users.map(\.username) == ["carol", "root"])
        let back = try await site.services.database.read { db in
            try UserDirectory.list(.init(sort: .username), cursor: next.previous, limit: 2, now: 0, in: db)
        }
        #expect(back.users.map(\.username) == ["alice", "Bob"])
        #expect(back.previous == nil)
        // An unknown sort or filter is the default, not an error.
        #expect(await client.get("/admin/users?sort=drop&filter=%00").status.code == 200)
    }

    @Test func eachFilterShowsItsUsers() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient("root")
        let now = Clock.now
        let off = try await site.createUser("offline")
        let stale = try await site.createUser("stale")
        let soon = try await site.createUser("soon")
        let renewing = try await site.createUser("renewing")
        let twoFactor = try await site.createUser("twofactor")
        _ = try await site.createUser("plain")
        try await site.services.database.write { db in
            _ = try db.execute("UPDATE users SET is_disabled = 1 WHERE id = ?", off.id)
            _ = try db.execute("INSERT INTO totp_devices (user_id, secret_enc, confirmed_at, created_at) VALUES (?, 'x', 1, 1)", twoFactor.id)
        }
        try await site.seedLink(userID: stale.id, provider: "github", uid: "1", login: nil, status: "reconnect")
        try await site.seedLink(userID: soon.id, provider: "linkedin", uid: "2", login: nil, expiresAt: now + 86_400)
        // The sibling's hour-long tokens come with a refresh token: never "expiring".
        let renewingLink = try await site.seedLink(userID: renewing.id, provider: "sibling", uid: "3", login: nil, expiresAt: now + 3600)
        try await site.services.database.write { db in
            _ = try db.execute("UPDATE social_tokens SET refresh_token_enc = 'seeded' WHERE social_account_id = ?", renewingLink)
        }
        func names(_ filter: String) async throws -> Set<String> { Set(try await Self.names(site, client, "/admin/users?filter=\(filter)")) }
        #expect(try await names("admins") == ["root"])
        #expect(try await names("disabled") == ["offline"])
        #expect(try await names("reconnect") == ["stale"])
        #expect(try await names("expiring") == ["soon"])
        #expect(try await names("mfa-on") == ["twofactor"])
        #expect(try await names("mfa-off") == ["root", "offline", "stale", "soon", "renewing", "plain"])
        #expect((await client.get("/admin/users?filter=mfa-off")).text.contains("Matching users: 6"))
        let stats = try await site.services.database.read { db in try AdminStatistics.read(now: now, in: db) }
        #expect(stats.expiringSoon == 1)
        // A filter and a search together.
        #expect(Set(try await Self.names(site, client, "/admin/users?filter=mfa-off&q=S")) == ["stale", "soon"])
    }

    @Test func searchFindsSubstringsAndTakesPercentAndUnderscoreLiterally() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient("root")
        for name in ["a_b", "axb", "50%off", "500off", "Back\\slash"] {
            try await site.services.database.write { db in
                _ = try db.execute("INSERT INTO users (username, username_key, created_at, updated_at) VALUES (?, ?, 0, 0)", name, name.lowercased())
            }
        }
        func search(_ text: String) async throws -> Set<String> {
            Set(try await Self.names(site, client, "/admin/users?q=" + FormData.encode(text)))
        }
        #expect(try await search("a_b") == ["a_b"])
        #expect(try await search("_") == ["a_b"])
        #expect(try await search("0%") == ["50%off"])
        #expect(try await search("%") == ["50%off"])
        #expect(try await search("\\") == ["Back\\slash"])
        #expect(try await search("XB") == ["axb"])        // case-blind, in the middle
        #expect(try await search("off") == ["50%off", "500off"])
        #expect(UserDirectory.containsPattern("5%_\\") == "%5\\%\\_\\\\%")
    }

    @Test func csvExportsTheFilteredListQuotedAndDefused() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient("root")
        try await site.services.database.write { db in
            for (name, email) in [("=HYPERLINK(\"http://x\")", "a,b@example.com"), ("+sum", "-x@example.com"), ("@me", "quote\"d@example.com")] {
                _ = try db.execute("INSERT INTO users (username, username_key, email, email_key, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)",
                                   name, name.lowercased(), email, email.lowercased())
            }
        }
        let csv = await client.get("/admin/users.csv?sort=oldest")
        #expect(csv.status.code == 200)
        #expect(csv.headers["Content-Type"]?.hasPrefix("text/csv") == true)
        let lines = csv.text.components(separatedBy: "\r\n")
        #expect(lines[0] == "id,username,email,admin,disabled,two_factor,linked,joined")
        #expect(lines.count == 6 && lines[5].isEmpty)
        #expect(lines[2].contains(",\"'=HYPERLINK(\"\"http://x\"\")\",\"a,b@example.com\","))
        #expect(lines[3].contains(",'+sum,'-x@example.com,"))
        #expect(lines[4].contains(",'@me,\"quote\"\"d@example.com\","))
        // The export follows the list's filter.
        let admins = await client.get("/admin/users.csv?filter=admins")
        #expect(admins.text.components(separatedBy: "\r\n").count == 3)
        #expect(await site.client().get("/admin/users.csv").status.code != 200)
        #expect(CSV.field("\tx") == "'\tx")
        #expect(CSV.field("\rx") == "\"'\rx\"")
        #expect(CSV.field("a\nb") == "\"a\nb\"")
        #expect(CSV.field("plain") == "plain")
    }

    /// Whatever arrives in the list's, export's and audit log's query strings: a page, never a 500.
    @Test func badQueryStringsGetAPageNeverAnError() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient("root")
        try await site.seedUsers(3)
        let long = FormData.encode(String(repeating: "%_", count: 5_000))
        for path in ["/admin/users?after=abc", "/admin/users?before=", "/admin/users?before=-1&sort=username", "/admin/users?after=%00%FF",
                     "/admin/users?q=" + long, "/admin/users?filter=admins&filter=disabled", "/admin/users?sort=username&after=" + long,
                     "/admin/users.csv?filter=bogus&sort=%00", "/admin/users.csv?q=" + long,
                     "/admin/audit?before=abc", "/admin/audit?from=2026-02-30&to=9999999999", "/admin/audit?user=" + long,
                     "/admin/audit?action=" + long, "/admin/audit?user=%23-5"] {
            let page = await client.get(path)
            // A query that is not valid percent-encoding is the framework's 400; anything else a page.
            #expect(page.status.code == (path.contains("%FF") ? 400 : 200), "\(path.prefix(80)): \(page.status.code)")
        }
        #expect((await client.get("/admin/audit?from=2026-02-30")).text.contains("The start date must look like"))
        #expect(Self.ids(await client.get("/admin/users?after=abc")).isEmpty)
        #expect((await client.get("/admin/users?q=" + long)).text.contains("Matching users: 0"))
        // Concurrent exports and pages: each whole, none failing.
        let statuses = await withTaskGroup(of: Int.self) { group in
            for n in 0..<16 { group.addTask { await client.get(n % 2 == 0 ? "/admin/users.csv" : "/admin/users?sort=username").status.code } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 })
    }

    // MARK: Failed sign-ins, lockouts, unlocking

    @Test func failedSignInsAndTheLockoutAreAudited() async throws {
        let site = try await TestSite.make()
        let victim = try await site.createUser("victim")
        let client = site.client()
        for _ in 0..<5 { #expect(await client.signIn("victim", password: "wrong guess").status.code == 401) }
        #expect(await client.signIn("nobody-here", password: "wrong guess").status.code == 401)
        let failed = try await site.auditRows(AuditLog.signInFailed)
        #expect(failed.count == 6)
        #expect(failed.prefix(5).allSatisfy { $0.target == victim.id && $0.detail == "password: wrong password" })
        #expect(failed[5].target == nil && failed[5].detail == "password: unknown username")
        #expect(!failed.contains { $0.detail.contains("nobody-here") })
        let locked = try await site.auditRows(AuditLog.lockedOut)
        #expect(locked.count == 1)
        #expect(locked.first?.target == victim.id)
        #expect(locked.first?.detail.hasPrefix("limit=account_and_address") == true)
        // Refused while locked: the lockout works, and writes nothing more.
        #expect(await client.signIn("victim").status.code == 429)
        #expect(try await site.auditCount(AuditLog.signInFailed) == 6)
        #expect(try await site.auditCount(AuditLog.lockedOut) == 1)
    }

    /// Forty guesses at once: five are checked and fail, and the lockout they start is recorded
    /// once, not once per failure that saw the limit reached.
    @Test func concurrentGuessesRecordEachFailureAndOneLockout() async throws {
        let site = try await TestSite.make()
        _ = try await site.createUser("victim")
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { await site.client().signIn("victim", password: "wrong guess").status.code } }
            return await group.reduce(into: [Int: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(statuses[401] == 5 && statuses[429] == 35)
        #expect(try await site.auditCount(AuditLog.signInFailed) == 5)
        #expect(try await site.auditCount(AuditLog.lockedOut) == 1)
    }

    @Test func auditLogFiltersByEventUserAndDates() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient("root")
        _ = try await site.createUser("victim")
        _ = await site.client().signIn("victim", password: "wrong guess")
        let byKind = await admin.get("/admin/audit?action=sign_in_failed")
        #expect(byKind.status.code == 200)
        #expect(byKind.text.contains("<td>sign_in_failed</td>") && !byKind.text.contains("<td>login</td>"))
        let byUser = await admin.get("/admin/audit?user=victim")
        #expect(byUser.text.contains("<td>sign_in_failed</td>"))
        #expect(!byUser.text.contains("<td>admin_created</td>"))
        let byRoot = await admin.get("/admin/audit?user=root")
        #expect(!byRoot.text.contains("<td>sign_in_failed</td>") && byRoot.text.contains("<td>login</td>"))
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let today = formatter.string(from: Date())
        let todays = await admin.get("/admin/audit?from=\(today)&to=\(today)")
        #expect(todays.text.contains("<td>sign_in_failed</td>"))
        let old = await admin.get("/admin/audit?to=2001-01-01")
        #expect(!old.text.contains("<td>sign_in_failed</td>"))
        let bad = await admin.get("/admin/audit?from=yesterday&user=%23x")
        #expect(bad.status.code == 200)
        #expect(bad.text.contains("The start date must look like"))
        #expect(bad.text.contains("There is no user called #x."))
    }

    @Test func unlockClearsTheLockoutAfterConfirmationAndReauthentication() async throws {
        let site = try await TestSite.make()
        let victim = try await site.createUser("victim", email: "victim@example.com")
        let attacker = site.client()
        for _ in 0..<5 { _ = await attacker.signIn("victim", password: "wrong guess") }
        for _ in 0..<3 { _ = await attacker.signIn("victim@example.com", password: "wrong guess") }
        #expect(await attacker.signIn("victim").status.code == 429)

        // Not an administrator: 403, nothing cleared.
        let member = site.client()
        _ = try await site.createUser("member")
        await member.signIn("member")
        let token = await member.csrfToken(from: "/account")
        #expect(await member.post("/admin/users/\(victim.id)/unlock", form: [("csrf_token", token), ("confirm", "1")]).status.code == 403)
        #expect(await attacker.signIn("victim").status.code == 429)

        let admin = try await site.adminClient("root")
        let before = await admin.get("/admin/users/\(victim.id)")
        #expect(before.text.contains("<dd id=\"sign-in-failures\">8 in the last 15 minutes</dd>"))
        // Without the confirmation: the question, nothing done.
        let question = await admin.post("/admin/users/\(victim.id)/unlock", form: [("csrf_token", await admin.csrfToken(from: "/admin"))])
        #expect(question.status.code == 200)
        #expect(question.text.contains("Unlock victim?"))
        #expect(try await site.auditCount("admin_unlocked") == 0)

        // A sign-in too old for admin actions: re-authenticate first, nothing done.
        try await site.ageSignIn(of: admin)
        let stale = await admin.adminPost("/admin/users/\(victim.id)/unlock")
        #expect(stale.status.code == 303)
        #expect(stale.location?.hasPrefix("/account/reauthenticate") == true)
        #expect(try await site.auditCount("admin_unlocked") == 0)

        let fresh = try await site.adminClient("root2")
        let done = await fresh.adminPost("/admin/users/\(victim.id)/unlock")
        #expect(done.status.code == 303)
        #expect(done.location == "/admin/users/\(victim.id)")
        let rows = try await site.auditRows("admin_unlocked")
        #expect(rows.count == 1 && rows.first?.target == victim.id)
        #expect(rows.first?.detail.hasPrefix("failures_cleared=") == true)
        #expect(await site.client().signIn("victim").status.code == 303)
        #expect((await fresh.get("/admin/users/\(victim.id)")).text.contains("<dd id=\"sign-in-failures\">0 in the last"))
        #expect(await fresh.adminPost("/admin/users/999999/unlock").status.code == 404)
    }

    // MARK: Landing

    @Test func administratorsLandOnTheConsoleUnlessNextSaysOtherwise() async throws {
        let site = try await TestSite.make()
        _ = try await site.createUser("root", admin: true)
        _ = try await site.createUser("member")
        #expect(await site.client().signIn("root").location == "/admin")
        #expect(await site.client().signIn("root", next: "/account/security").location == "/account/security")
        #expect(await site.client().signIn("member").location == "/account")
    }
}

/// Social sign-ins the linking policy refuses are in the audit log, about the account they met.
@Suite struct SocialRefusalAuditTests {
    @Test func refusedSocialSignInsAreAudited() async throws {
        try await SocialSite.with([.github]) { social in
            let site = social.site
            #expect(try await social.signIn(with: "github", site.client()).status.code == 303)
            let owner = try #require(try await social.link("github", uid: String(GitHubFake.personID)))
            // Someone else connecting the same GitHub account: linked to another user.
            let bob = try await site.createUser("bob")
            let client = site.client()
            await client.signIn("bob")
            #expect(try await social.connect("github", client).status.code == 409)
            // The owner's account disabled: signing in with GitHub is refused.
            try await site.services.database.write { db in _ = try db.execute("UPDATE users SET is_disabled = 1 WHERE id = ?", owner.userID) }
            #expect(try await social.signIn(with: "github", site.client()).status.code == 403)
            let rows = try await site.auditRows("social_refused")
            #expect(rows.count == 2)
            #expect(rows[0].actor == bob.id && rows[0].target == owner.userID && rows[0].detail == "github: linked to another account")
            #expect(rows[1].actor == nil && rows[1].target == owner.userID && rows[1].detail == "github: account disabled")
        }
    }
}
