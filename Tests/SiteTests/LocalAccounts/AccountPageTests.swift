import Foundation
import Testing
import WebTesting

/// The account page: profile, linked accounts, password form and sessions.
@Suite struct AccountPageTests {
    @Test func accountPageShowsTheProfile() async throws {
        let site = try await TestSite.make()
        let user = try await site.createUser("alice", email: "Alice@Example.com")
        let client = site.client()
        await client.signIn("alice")
        let page = await client.get("/account")
        #expect(page.status.code == 200)
        #expect(page.isHTML)
        #expect(page.text.contains("<dd>alice</dd>"))
        #expect(page.text.contains("<dd>Alice@Example.com <span class=\"badge warning\">not verified</span></dd>"))
        // A date as the reader's language writes it (issue 16): "4 Dec 2026" in English.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy"
        #expect(page.text.contains("Member since</dt><dd>\(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(user.createdAt))))</dd>"))
    }

    @Test func accountPageShowsAnEmptyLinkedAccountsSection() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let page = await client.get("/account")
        #expect(page.text.contains("Linked accounts"))
        #expect(page.text.contains("No linked accounts yet."))
        #expect(!page.text.contains("<th>Provider</th>"))
    }

    @Test func accountPageHasAChangePasswordForm() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let page = await client.get("/account")
        #expect(page.text.contains("Change password"))
        #expect(page.text.contains("action=\"/account/password\""))
        #expect(page.text.contains("name=\"current_password\""))
        #expect(page.text.contains("name=\"new_password\""))
        #expect(page.text.contains("name=\"new_password_confirmation\""))
    }

    @Test func accountPageListsSessionsAndMarksTheCurrentOne() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let laptop = site.client(), phone = site.client()
        laptop.defaultHeaders.set("User-Agent", "LaptopBrowser/1.0")
        phone.defaultHeaders.set("User-Agent", "PhoneBrowser/2.0")
        await laptop.signIn("alice")
        let alone = await laptop.get("/account")
        #expect(alone.text.contains("LaptopBrowser/1.0 <strong>(this session)</strong>"))
        #expect(!alone.text.contains("Sign out of other sessions"))

        await phone.signIn("alice")
        let page = await laptop.get("/account")
        #expect(page.text.contains("LaptopBrowser/1.0 <strong>(this session)</strong>"))
        #expect(page.text.contains("PhoneBrowser/2.0"))
        #expect(!page.text.contains("PhoneBrowser/2.0 <strong>"))
        #expect(page.text.components(separatedBy: "(this session)").count == 2)
        #expect(page.text.contains("Sign out of other sessions"))
    }

    @Test func anonymousVisitorIsSentToSignIn() async throws {
        let site = try await TestSite.make()
        let response = await site.client().get("/account")
        #expect(response.status.code == 303)
        #expect(response.location == "/login?next=%2Faccount")
    }

    @Test func signingOutOfOtherSessionsEndsThemAndKeepsThisOne() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let laptop = site.client(), phone = site.client(), tablet = site.client()
        for client in [laptop, phone, tablet] { await client.signIn("alice") }
        let response = await laptop.submit("/account/sessions/others/delete", [("confirm", "1")], tokenFrom: "/account")
        #expect(response.status.code == 303)
        #expect(response.location == "/account")
        let page = await laptop.follow(response)
        #expect(page.status.code == 200)
        #expect(page.flashes == ["Signed out of 2 other sessions."])
        #expect(await phone.get("/account").status.code == 303)
        #expect(await tablet.get("/account").status.code == 303)
        #expect(try await site.sessionCount(of: "alice") == 1)
        #expect(try await site.auditCount("sessions_ended") == 1)
    }

    @Test func signingOutOfOtherSessionsWithNoneSaysSo() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let page = await client.follow(await client.submit("/account/sessions/others/delete", [("confirm", "1")], tokenFrom: "/account"))
        #expect(page.flashes == ["You had no other sessions."])
    }

    @Test func signingOutOfOtherSessionsLeavesOtherUsersAlone() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        try await site.createUser("bob")
        let alice = site.client(), bob = site.client()
        await alice.signIn("alice")
        await bob.signIn("bob")
        await alice.submit("/account/sessions/others/delete", [("confirm", "1")], tokenFrom: "/account")
        #expect(await bob.get("/account").status.code == 200)
    }
}
