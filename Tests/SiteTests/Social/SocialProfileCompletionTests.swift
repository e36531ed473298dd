import Accounts
import FakeProviders
import Foundation
import Testing
import WebTesting

/// Issue 12, profile completion: a social sign-up whose provider gives no verified address, or
/// whose username is taken, stops at a short form; a chosen address counts only with its code.
@Suite struct SocialProfileCompletionTests {
    /// Opens Facebook's callback on `client`, which stops at the form.
    private func reachTheForm(_ social: SocialSite, _ client: TestClient, provider: String = "facebook") async throws -> TestResponse {
        let response = try await social.signIn(with: provider, client, completeProfile: false)
        #expect(response.location == "/signup/social")
        #expect(try await social.rows().links == 0, "nothing linked yet")
        return await client.get("/signup/social")
    }

    private func submit(_ client: TestClient, username: String, email: String, skip: Bool = false) async -> TestResponse {
        var fields = [("username", username), ("email", email)]
        if skip { fields.append(("skip_email", "1")) }
        return await client.submit("/signup/social", fields, tokenFrom: "/signup/social")
    }

    @Test func anUnvouchedAddressIsASuggestionThatCountsOnlyWithItsCode() async throws {
        try await SocialSite.with([.facebook]) { social in
            let client = social.site.client()
            let form = try await reachTheForm(social, client)
            #expect(form.text.contains("Finish signing up with Facebook"))
            #expect(form.text.contains("value=\"Mark-Example\""))
            #expect(form.text.contains("value=\"mark@example.com\""))
            #expect(form.text.contains("without vouching for it"))
            let stored = try await social.site.query("SELECT payload_enc FROM pending_social_signups").first?.string("payload_enc") ?? ""
            #expect(!stored.contains("mark@example.com") && !stored.isEmpty, "the parked profile and tokens are sealed")

            let sent = await submit(client, username: "mark", email: "mark@example.com")
            #expect(sent.location == "/signup/social")
            #expect(await client.get("/signup/social").text.contains("We sent a code to <strong>mark@example.com</strong>"))
            let wrong = await client.submit("/signup/social/code", [("code", "BBBB-BBBB")], tokenFrom: "/signup/social")
            #expect(wrong.status.code == 422)
            #expect(wrong.text.contains("4 tries left"))
            let code = try await social.site.mailedCode(to: "mark@example.com")
            let done = await client.submit("/signup/social/code", [("code", code)], tokenFrom: "/signup/social")
            #expect(done.location == "/account")
            #expect(await client.follow(done).flashes == ["Welcome, mark! Your account was created with Facebook."])
            let user = try #require(try await social.site.user("mark"))
            #expect(user.email == "mark@example.com" && user.emailVerified)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
            #expect(try await social.site.count("pending_social_signups") == 0)
            #expect(await client.get("/signup/social").location == "/login", "the form is over")
        }
    }

    @Test func goingOnWithoutAnAddressIsAllowedOnlyWhenEmailIsOptional() async throws {
        try await SocialSite.with([.facebook]) { social in
            let client = social.site.client()
            _ = try await reachTheForm(social, client)
            let done = await submit(client, username: "mark", email: "", skip: true)
            #expect(done.location == "/account")
            #expect(try await social.site.user("mark")?.email == nil)
        }
        try await SocialSite.with([.facebook], environment: ["ACCOUNT_EMAIL_VERIFICATION": "mandatory"]) { social in
            let client = social.site.client()
            let form = try await reachTheForm(social, client)
            #expect(!form.text.contains("Continue without an address"))
            let refused = await submit(client, username: "mark", email: "", skip: true)
            #expect(refused.status.code == 422)
            #expect(refused.text.contains("this site needs one"))
            #expect(try await social.rows() == SocialSite.Rows(users: 0, links: 0, tokens: 0))
        }
    }

    /// No enumeration, no squatting: an address another account has gets the same answer, its
    /// owner a note, and the code can never be right.
    @Test func anAddressInUseCannotBeClaimedOrDetected() async throws {
        try await SocialSite.with([.facebook]) { social in
            try await social.site.createUser("alice", email: "alice@example.com")
            let client = social.site.client()
            _ = try await reachTheForm(social, client)
            let sent = await submit(client, username: "mark", email: "alice@example.com")
            #expect(sent.location == "/signup/social")
            #expect(try await social.site.outboxKinds(to: "alice@example.com") == ["email_in_use"])
            #expect(try await social.site.deliverMail().compactMap(\.code).isEmpty)
            for _ in 0..<5 { await client.submit("/signup/social/code", [("code", "BBBB-BBBB")], tokenFrom: "/signup/social") }
            #expect(try await social.site.count("users") == 1)
        }
    }

    /// A verified address with a taken username: the form asks for another name, and keeping
    /// the provider's own verified address needs no code.
    @Test func aTakenUsernameAsksForAnotherAndAVouchedAddressNeedsNoCode() async throws {
        try await SocialSite.with([.github]) { social in
            try await social.site.createUser("octocat", email: "someone@example.com")
            let client = social.site.client()
            let form = try await reachTheForm(social, client, provider: "github")
            #expect(form.text.contains("value=\"octocat-2\""))
            let taken = await submit(client, username: "OCTOCAT", email: "octocat@example.com")
            #expect(taken.status.code == 422)
            #expect(taken.text.contains("That username is taken."))
            let done = await submit(client, username: "the-octocat", email: "octocat@example.com")
            #expect(done.location == "/account")
            let user = try #require(try await social.site.user("the-octocat"))
            #expect(user.email == "octocat@example.com" && user.emailVerified)
            #expect(try await social.site.count("outbox") == 0, "no code was needed")
        }
    }

    @Test func aFormWithoutAWaitingSignUpSendsToSignIn() async throws {
        try await SocialSite.with([.facebook]) { social in
            let client = social.site.client()
            #expect(await client.get("/signup/social").location == "/login")
            _ = try await reachTheForm(social, client)
            _ = try await social.site.services.database.write { db in try db.execute("UPDATE pending_social_signups SET expires_at = 0") }
            #expect(await client.get("/signup/social").location == "/login", "expired")
            let late = await client.submit("/signup/social", [("username", "mark"), ("email", "")], tokenFrom: "/login")
            #expect(late.location == "/login")
            #expect(try await social.site.count("users") == 0)
        }
    }

    @Test func hostileAnswersGetFieldErrors() async throws {
        try await SocialSite.with([.facebook]) { social in
            let client = social.site.client()
            _ = try await reachTheForm(social, client)
            for (username, email) in [("x", "mark@example.com"), ("mark", "not an address"), ("mark\r\nBcc: a@b.c", ""),
                                      (String(repeating: "m", count: 5_000), ""), ("mark", "m@example.com\r\nBcc: all@example.com")] {
                #expect(await submit(client, username: username, email: email).status.code == 422)
            }
            #expect(try await social.site.count("users") == 0)
        }
    }
}
