import Testing
import WebTesting

/// One-time messages after an action.
@Suite struct FlashTests {
    @Test func flashMessageAppearsOnceAfterSignIn() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        let first = await client.follow(await client.signIn("alice"))
        #expect(first.flashes == ["Signed in as alice."])
        let second = await client.get("/account")
        #expect(second.status.code == 200)
        #expect(second.flashes.isEmpty)
    }

    @Test func flashMessageAppearsOnceAfterSignUp() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let first = await client.signUp("alice")
        #expect(first.flashes == ["Welcome to Latchkey, alice! Verify your address when the code arrives."])
        #expect(await client.get("/").flashes.isEmpty)
        #expect(await client.get("/account").flashes.isEmpty)
    }

    @Test func flashIsShownOnWhicheverPageComesNext() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        #expect(await client.get("/").flashes == ["Signed in as alice."])
        #expect(await client.get("/account").flashes.isEmpty)
    }
}
