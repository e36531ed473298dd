import Accounts
import Foundation
import Testing
import WebTesting

/// Signing in with a username and password.
@Suite struct SignInTests {
    @Test func correctPasswordSignsInAndRedirectsToTheAccountPage() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        let response = await client.signIn("alice")
        #expect(response.status.code == 303)
        #expect(response.location == "/account")
        let account = await client.follow(response)
        #expect(account.status.code == 200)
        #expect(account.flashes == ["Signed in as alice."])
        #expect(try await site.auditCount("login") == 1)
    }

    @Test func usernameIsMatchedCaseInsensitively() async throws {
        let site = try await TestSite.make()
        try await site.createUser("Alice")
        let response = await site.client().signIn("aLICE")
        #expect(response.location == "/account")
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let wrongPassword = await site.client().signIn("alice", password: "not the password")
        let unknownUser = await site.client().signIn("nobody", password: "not the password")
        #expect(wrongPassword.status.code == 401)
        #expect(unknownUser.status.code == 401)
        #expect(wrongPassword.alert == "Invalid username or password.")
        #expect(unknownUser.alert == "Invalid username or password.")
    }

    @Test func failedSignInKeepsTheTypedUsernameButNotThePassword() async throws {
        let site = try await TestSite.make()
        let response = await site.client().signIn("carol", password: "Zq9-typed-secret")
        #expect(response.text.contains("value=\"carol\""))
        #expect(!response.text.contains("Zq9-typed-secret"))
    }

    @Test func failedSignInLeavesTheVisitorSignedOut() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice", password: "not the password")
        let account = await client.get("/account")
        #expect(account.status.code == 303)
        #expect(try await site.sessionCount(of: "alice") == 0)
    }

    @Test func disabledAccountCannotSignIn() async throws {
        let site = try await TestSite.make()
        let user = try await site.createUser("alice")
        try await site.services.database.write { db in try UserRepository.setDisabled(true, userID: user.id, now: 0, in: db) }
        let response = await site.client().signIn("alice")
        #expect(response.status.code == 403)
        #expect(response.alert?.contains("This account has been disabled.") == true)
    }

    @Test func disablingAnAccountEndsItsSignedInSessionsOnTheNextRequest() async throws {
        let site = try await TestSite.make()
        let user = try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        #expect(await client.get("/account").status.code == 200)
        try await site.services.database.write { db in try UserRepository.setDisabled(true, userID: user.id, now: 0, in: db) }
        #expect(await client.get("/account").status.code == 303)
    }

    @Test func signedInVisitorIsSentFromTheSignInFormToTheAccountPage() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let response = await client.get("/login")
        #expect(response.status.code == 303)
        #expect(response.location == "/account")
    }
}
