import Identity
import Web
import Accounts
import Site
import Testing
import WebTesting

/// `/admin` is for administrators; `AdminAccounts.create` makes them.
@Suite struct AdminAccessTests {
    @Test func anonymousVisitorIsSentToSignIn() async throws {
        let site = try await TestSite.make()
        let response = await site.client().get("/admin")
        #expect(response.status.code == 303)
        #expect(response.location == "/login?next=%2Fadmin")
    }

    @Test func signedInNonAdminIsForbidden() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let response = await client.get("/admin")
        #expect(response.status.code == 403)
        #expect(response.isHTML)
        #expect(response.text.contains("This page is for administrators only."))
        #expect(!response.text.contains("href=\"/admin\""))
    }

    @Test func adminSeesTheConsole() async throws {
        let site = try await TestSite.make()
        try await site.createUser("root", admin: true)
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("root")
        let response = await client.get("/admin")
        #expect(response.status.code == 200)
        #expect(response.isHTML)
        #expect(await client.get("/account").text.contains("href=\"/admin\""))
    }

    @Test func adminIsSentBackToTheConsoleAfterSignIn() async throws {
        let site = try await TestSite.make()
        try await site.createUser("root", admin: true)
        let client = site.client()
        let bounce = await client.get("/admin")
        let next = try #require(bounce.location.flatMap { $0.components(separatedBy: "next=").last })
        #expect(next == "%2Fadmin")
        #expect(await client.signIn("root", next: "/admin").location == "/admin")
        #expect(await client.get("/admin").status.code == 200)
    }

    @Test func createMakesANewAdministrator() async throws {
        let site = try await TestSite.make()
        let (user, created) = try await AdminAccounts.create(username: "root", email: "root@example.com", password: TestSite.password,
                                                             services: site.services)
        #expect(created)
        #expect(user.isAdmin)
        #expect(try await site.auditCount("admin_created") == 1)
        let client = site.client()
        // Administrators land on the console.
        #expect(await client.signIn("root").location == "/admin")
        #expect(await client.get("/admin").status.code == 200)
    }

    @Test func createPromotesAnExistingUserAndSetsThePassword() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let (user, created) = try await AdminAccounts.create(username: "Alice", email: "ignored@example.com",
                                                             password: "a fresh admin passphrase", services: site.services)
        #expect(!created)
        #expect(user.isAdmin)
        #expect(user.username == "alice")
        #expect(try await site.count("users") == 1)
        #expect(try await site.auditCount("admin_granted") == 1)
        #expect(await site.client().signIn("alice").status.code == 401)
        let client = site.client()
        #expect(await client.signIn("alice", password: "a fresh admin passphrase").location == "/admin")
        #expect(await client.get("/admin").status.code == 200)
    }

    @Test(arguments: ["short", "1234567890", "qwertyuiop", "Password123"])
    func createRefusesAWeakPassword(password: String) async throws {
        let site = try await TestSite.make()
        await #expect(throws: FieldErrors.self) {
            try await AdminAccounts.create(username: "root", email: "root@example.com", password: password, services: site.services)
        }
        #expect(try await site.count("users") == 0)
    }

    @Test func createNamesTheFieldAtFault() async throws {
        let site = try await TestSite.make()
        for (username, email, field) in [("no spaces allowed", "root@example.com", "username"), ("root", "not-an-email", "email"),
                                         ("root", "root@example.com", "password")] {
            do {
                _ = try await AdminAccounts.create(username: username, email: email, password: field == "password" ? "short" : TestSite.password,
                                                   services: site.services)
                Issue.record("accepted \(username) \(email)")
            } catch let errors as FieldErrors {
                #expect(errors[field] != nil)
            }
        }
        #expect(try await site.count("users") == 0)
    }

    @Test func createRefusesAnEmailAnotherAccountUses() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice", email: "shared@example.com")
        do {
            _ = try await AdminAccounts.create(username: "root", email: "Shared@example.com", password: TestSite.password, services: site.services)
            Issue.record("created an admin with a taken email")
        } catch let errors as FieldErrors {
            #expect(errors["email"] != nil)
        }
        #expect(try await site.count("users") == 1)
    }
}
