import Foundation
import Testing
import WebTesting

/// Issue 12: moving an account to another address. The new address is proven by a code before
/// it replaces the old one; the old one is told; a borrowed session is not enough (password).
@Suite struct EmailChangeTests {
    func requestChange(_ client: TestClient, to address: String, password: String = TestSite.password) async -> TestResponse {
        await client.submit("/account/email", [("new_email", address), ("email_password", password)], tokenFrom: "/account")
    }

    func enter(_ client: TestClient, _ code: String) async -> TestResponse {
        await client.submit("/account/email/verify", [("code", code)], tokenFrom: "/account")
    }

    @Test func theNewAddressReplacesTheOldOnlyWithItsCodeAndTheOldOneIsTold() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@old.example")
        let client = site.client()
        await client.signIn("ada")
        let asked = await requestChange(client, to: "ada@new.example")
        #expect(asked.status.code == 303)
        #expect(asked.location == "/account#change-email")
        let page = await client.get("/account")
        #expect(page.text.contains("Confirm your new address"))
        #expect(page.text.contains("ada@new.example"))
        #expect(try await site.user("ada")?.email == "ada@old.example", "nothing changes before the code")

        let code = try await site.mailedCode(to: "ada@new.example")
        #expect(await enter(client, "BBBB-BBBB").status.code == 422)
        let done = await enter(client, code)
        #expect(done.location == "/account")
        #expect(await client.follow(done).flashes == ["Your email address is now ada@new.example."])
        let user = try #require(try await site.user("ada"))
        #expect(user.email == "ada@new.example")
        #expect(user.emailVerified, "the code proved it")
        #expect(try await site.outboxKinds(to: "ada@old.example") == ["email_changed"])
        let notice = try #require(try await site.deliverMail().first { $0.to == ["ada@old.example"] })
        #expect(notice.text.contains("was just changed from this address"))
        #expect(try await site.auditCount("email_changed") == 1)
        await client.signOut()
        #expect(await client.signIn("ada@new.example").location == "/account", "sign-in by the new address")
    }

    @Test func aWrongPasswordOrABadAddressChangesNothing() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@old.example")
        let client = site.client()
        await client.signIn("ada")
        let wrong = await requestChange(client, to: "ada@new.example", password: "not my password at all")
        #expect(wrong.status.code == 422)
        #expect(wrong.text.contains("That is not your current password."))
        for bad in ["not-an-address", "ada@new.example\r\nBcc: all@example.com", String(repeating: "a", count: 300) + "@example.com", "",
                    "ada@old.example".uppercased()] {
            let response = await requestChange(client, to: bad)
            #expect(response.status.code == 422, "\(bad.prefix(40))")
        }
        #expect(try await site.count("email_verifications") == 0)
        #expect(try await site.outboxKinds(to: "ada@new.example").isEmpty)
    }

    /// No enumeration: an address another account has gets the same answer, and its owner a
    /// note; no code exists, so the move cannot finish.
    @Test func anAddressInUseIsNotRevealedAndCannotBeTaken() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@example.com")
        try await site.createUser("bob", email: "bob@example.com")
        let client = site.client()
        await client.signIn("ada")
        let asked = await requestChange(client, to: "BOB@example.com")
        #expect(asked.status.code == 303)
        #expect(await client.get("/account").flashes == ["We sent a code to BOB@example.com. Enter it below to finish the change; until then your address stays as it is."])
        #expect(try await site.outboxKinds(to: "BOB@example.com") == ["email_in_use"])
        #expect(try await site.deliverMail().compactMap(\.code).isEmpty)
        #expect(try await site.user("ada")?.email == "ada@example.com")
    }

    @Test func aResetLinkMailedToTheOldAddressDiesWithTheMove() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@old.example")
        await site.client().submit("/password/forgot", [("identifier", "ada")], tokenFrom: "/password/forgot")
        let link = try #require(try await site.deliverMail().first { $0.text.contains("/password/reset?token=") })
        let token = String(try #require(link.text.range(of: #"token=[A-Za-z0-9_-]+"#, options: .regularExpression).map { link.text[$0].dropFirst(6) }))
        let client = site.client()
        await client.signIn("ada")
        await requestChange(client, to: "ada@new.example")
        await enter(client, try await site.mailedCode(to: "ada@new.example"))
        #expect(await site.client().get("/password/reset?token=\(token)").status.code == 410)
    }

    @Test func anotherAccountTakingTheAddressMeanwhileStopsTheMove() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@example.com")
        let client = site.client()
        await client.signIn("ada")
        await requestChange(client, to: "shared@example.com")
        let code = try await site.mailedCode(to: "shared@example.com")
        try await site.createUser("bob", email: "shared@example.com")
        let late = await enter(client, code)
        #expect(late.status.code == 422)
        #expect(late.text.contains("Another account has just started using that address"))
        #expect(try await site.user("ada")?.email == "ada@example.com")
    }

    @Test func aPendingMoveCanBeCancelled() async throws {
        let site = try await TestSite.make()
        try await site.createUser("ada", email: "ada@example.com")
        let client = site.client()
        await client.signIn("ada")
        await requestChange(client, to: "ada@new.example")
        let code = try await site.mailedCode(to: "ada@new.example")
        await client.submit("/account/email/cancel", [], tokenFrom: "/account")
        #expect(!(await client.get("/account").text.contains("Confirm your new address")))
        #expect(await enter(client, code).status.code == 422, "the code died with the move")
        #expect(try await site.user("ada")?.email == "ada@example.com")
    }

    @Test func withMailOffTheFormIsNotOffered() async throws {
        let site = try await TestSite.make(["EMAIL_URL": "off"])
        try await site.createUser("ada", email: "ada@example.com")
        let client = site.client()
        await client.signIn("ada")
        #expect(!(await client.get("/account").text.contains("Change your email address")))
        let refused = await client.follow(await requestChange(client, to: "ada@new.example"))
        #expect(refused.flashes == ["Email is turned off on this site, so the address cannot be changed."])
        #expect(try await site.count("email_verifications") == 0)
    }
}
