import Testing
import WebTesting

/// Changing the password from the account page.
@Suite struct PasswordChangeTests {
    private static let newPassword = "a brand new passphrase"

    @Test func wrongCurrentPasswordIsRefused() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let response = await client.changePassword(current: "not my password", new: Self.newPassword)
        #expect(response.status.code == 422)
        #expect(response.text.contains("That is not your current password."))
        #expect(!response.text.contains(Self.newPassword))
        #expect(await site.client().signIn("alice").location == "/account")
    }

    @Test(arguments: [
        ("short-pw", "short-pw", "Use at least 10 characters."),
        ("qwertyuiop", "qwertyuiop", "That password is too common"),
        ("a brand new passphrase", "a different passphrase", "The two passwords do not match."),
        ("alice12345", "alice12345", "That password is too close to your username."),
    ])
    func newPasswordMustSatisfyThePolicy(new: String, confirmation: String, message: String) async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let response = await client.changePassword(current: TestSite.password, new: new, confirmation: confirmation)
        #expect(response.status.code == 422)
        #expect(response.text.contains(message))
        #expect(await site.client().signIn("alice").location == "/account")
        #expect(try await site.auditCount("password_changed") == 0)
    }

    @Test func changingThePasswordSignsOutOtherSessionsAndKeepsThisOneWithANewID() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let laptop = site.client(), phone = site.client()
        await laptop.signIn("alice")
        await phone.signIn("alice")
        let before = try #require(laptop.sessionID)

        let response = await laptop.changePassword(current: TestSite.password, new: Self.newPassword)
        #expect(response.status.code == 303)
        #expect(response.location == "/account")
        let after = try #require(laptop.sessionID)
        #expect(after != before)

        let page = await laptop.follow(response)
        #expect(page.status.code == 200)
        #expect(page.flashes == ["Your password has been changed, your other sessions have been signed out and your API tokens revoked."])
        #expect(await phone.get("/account").status.code == 303)
        #expect(try await site.sessionCount(of: "alice") == 1)
        #expect(try await site.auditCount("password_changed") == 1)

        let replay = site.client()
        replay.setCookie("latchkey_session", before)
        #expect(await replay.get("/account").status.code == 303)
    }

    @Test func newPasswordWorksAndTheOldOneDoesNot() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        await client.changePassword(current: TestSite.password, new: Self.newPassword)
        #expect(await site.client().signIn("alice", password: TestSite.password).status.code == 401)
        #expect(await site.client().signIn("alice", password: Self.newPassword).location == "/account")
    }

    @Test func anonymousPasswordChangeIsRefused() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        let response = await client.submit("/account/password", [("current_password", TestSite.password), ("new_password", Self.newPassword),
                                                                  ("new_password_confirmation", Self.newPassword)], tokenFrom: "/login")
        #expect(response.status.code == 303)
        #expect(response.location == "/login")
        #expect(await site.client().signIn("alice").location == "/account")
    }
}
