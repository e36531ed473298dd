import Accounts
import FakeProviders
import Foundation
import Testing
import WebTesting

/// A provider account whose email matches a local account is never linked to it silently
/// (incumbent failure 1: account takeover through an unverified email). Linking on email
/// happens only with AUTO_LINK_VERIFIED_EMAILS=1 and both addresses verified. Only a verified
/// address claims an email at all (issue 12): an unverified provider address, or a match with an
/// unverified local one, makes a separate account without the address, so nobody can squat one.
@Suite struct SocialEmailLinkingTests {
    /// Marks the local account's email as verified, as an email confirmation would.
    private func verifyEmail(of user: User, on social: SocialSite) async throws {
        let id = user.id
        _ = try await social.site.services.database.write { db in try db.execute("UPDATE users SET email_verified = 1 WHERE id = ?", id) }
    }

    /// Signs in with `provider` on a fresh browser and checks it ended on the conflict page with
    /// nothing written but the local account.
    private func expectConflictPage(_ social: SocialSite, provider: String) async throws {
        let client = social.site.client()
        let response = try await social.signIn(with: provider, client)
        #expect(response.status.code == 409)
        #expect(response.text.contains("An account with this email already exists"))
        #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 0, tokens: 0))
        #expect(await social.signedInUsername(client) == nil)
    }

    /// Signs in with `provider` on a fresh browser: a new account of its own, without the
    /// address, and the local account untouched.
    private func expectSeparateAccountWithoutTheAddress(_ social: SocialSite, provider: String, local: String) async throws {
        let client = social.site.client()
        let response = try await social.signIn(with: provider, client)
        #expect(response.location == "/account")
        let signedIn = await social.signedInUsername(client)
        #expect(signedIn != nil && signedIn != local)
        #expect(try await social.rows() == SocialSite.Rows(users: 2, links: 1, tokens: 1))
        let name = try #require(signedIn)
        let newcomer = try #require(try await social.site.user(name))
        #expect(newcomer.email == nil, "the address is not claimed")
        #expect(try await social.site.user(local)?.email != nil, "the local account keeps its address")
    }

    @Test func unverifiedGitHubEmailIsNotLinkedEvenWithAutoLinkOn() async throws {
        try await SocialSite.with([.github], environment: ["AUTO_LINK_VERIFIED_EMAILS": "1"]) { social in
            let alice = try await social.site.createUser("alice", email: "octocat@example.com")
            try await verifyEmail(of: alice, on: social)
            social.github.updateUser(id: GitHubFake.personID) { user in
                user.publicEmail = "octocat@example.com"
                user.emails = [GitHubEmail(email: "octocat@example.com", primary: true, verified: false)]
            }
            try await expectSeparateAccountWithoutTheAddress(social, provider: "github", local: "alice")
        }
    }

    @Test func facebookEmailIsNeverTrustedForLinking() async throws {
        try await SocialSite.with([.facebook], environment: ["AUTO_LINK_VERIFIED_EMAILS": "1"]) { social in
            let alice = try await social.site.createUser("alice", email: "mark@example.com")
            try await verifyEmail(of: alice, on: social)
            try await expectSeparateAccountWithoutTheAddress(social, provider: "facebook", local: "alice")
        }
    }

    @Test func linkedInEmailMarkedUnverifiedIsNotLinked() async throws {
        try await SocialSite.with([.linkedin], environment: ["AUTO_LINK_VERIFIED_EMAILS": "1"]) { social in
            let alice = try await social.site.createUser("alice", email: "lin@example.com")
            try await verifyEmail(of: alice, on: social)
            social.linkedIn.updateUser(sub: LinkedInFake.personSub) { $0.emailVerified = false }
            try await expectSeparateAccountWithoutTheAddress(social, provider: "linkedin", local: "alice")
        }
    }

    @Test func verifiedEmailsAreNotLinkedWhileAutoLinkIsOff() async throws {
        try await SocialSite.with([.github]) { social in
            let alice = try await social.site.createUser("alice", email: "octocat@example.com")
            try await verifyEmail(of: alice, on: social)
            try await expectConflictPage(social, provider: "github")
        }
    }

    /// An unverified local address neither links nor blocks: the real owner of the address (whose
    /// provider vouches for it) gets an account of their own, and the squatter keeps nothing of theirs.
    @Test func autoLinkNeedsTheLocalEmailVerifiedToo() async throws {
        try await SocialSite.with([.github], environment: ["AUTO_LINK_VERIFIED_EMAILS": "1"]) { social in
            try await social.site.createUser("alice", email: "octocat@example.com")
            try await expectSeparateAccountWithoutTheAddress(social, provider: "github", local: "alice")
        }
    }

    @Test func autoLinkSignsIntoTheExistingAccountWhenBothEmailsAreVerified() async throws {
        try await SocialSite.with([.github, .oidc], environment: ["AUTO_LINK_VERIFIED_EMAILS": "1"]) { social in
            let alice = try await social.site.createUser("alice", email: "Octocat@Example.com")
            try await verifyEmail(of: alice, on: social)
            let client = social.site.client()
            let response = try await social.signIn(with: "github", client)
            #expect(response.location == "/account")
            #expect(await client.follow(response).flashes == ["Signed in with GitHub."])
            #expect(await social.signedInUsername(client) == "alice")
            let link = try #require(try await social.link("github", uid: social.github.person.uid))
            #expect(link.userID == alice.id)
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
            #expect(try await social.site.auditCount("social_autolink") == 1)
        }
    }

    @Test func conflictPageTellsThePersonHowToConnectInstead() async throws {
        try await SocialSite.with([.github]) { social in
            let alice = try await social.site.createUser("alice", email: "octocat@example.com")
            try await verifyEmail(of: alice, on: social)
            let conflict = try await social.signIn(with: "github", social.site.client())
            #expect(conflict.text.contains("then connect GitHub from your account page"))

            // Doing exactly that works: sign in with the password, connect from the account page.
            let client = social.site.client()
            await client.signIn("alice")
            let connected = try await social.connect("github", client)
            #expect(connected.location == "/account")
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }

    /// Issue 12's reproduction: a LinkedIn account with someone else's address and
    /// `email_verified=false`, signed up through the API, used to take the address; its real
    /// owner could then neither sign up nor link.
    @Test func anUnverifiedProviderAddressCannotBeSquatted() async throws {
        try await SocialSite.with([.linkedin]) { social in
            social.linkedIn.updateUser(sub: LinkedInFake.personSub) { user in
                user.email = "victim@example.com"
                user.emailVerified = false
            }
            let squatter = await social.site.client().apiSignIn("linkedin", accessToken: try await APIFrontEnd.linkedIn(social.linkedIn).accessToken)
            #expect(squatter.status.code == 201)
            #expect(squatter.json["user"]?["email"] == .null, "the address is not taken")
            let owner = await social.site.client().signUp("victim", email: "victim@example.com")
            #expect(owner.status.code == 200, "the real owner signs up with it")
            #expect(try await social.site.user("victim")?.email == "victim@example.com")
        }
    }
}

/// The safe merge (issue 12): the conflict page offers a sign-in code to the address; the owner
/// proves the mailbox, lands signed in with the provider offered first, and connects it.
@Suite struct SocialSafeMergeTests {
    @Test func theOwnerSignsInWithAMailedCodeAndConnects() async throws {
        try await SocialSite.with([.github]) { social in
            let alice = try await social.site.createUser("alice", email: "octocat@example.com")
            let id = alice.id
            _ = try await social.site.services.database.write { db in try db.execute("UPDATE users SET email_verified = 1 WHERE id = ?", id) }
            let client = social.site.client()
            let conflict = try await social.signIn(with: "github", client)
            #expect(conflict.status.code == 409)
            #expect(conflict.text.contains("Email a sign-in code to octocat@example.com"))
            let token = try #require(TestClient.hiddenField("csrf_token", in: conflict.text))
            let asked = await client.post("/login/code", form: [("csrf_token", token), ("identifier", "octocat@example.com"),
                                                                ("next", "/account?connect=github")])
            #expect(asked.location == "/login/code/enter")
            let code = try await social.site.mailedCode(to: "octocat@example.com")
            let signedIn = await client.submit("/login/code/enter", [("code", code)], tokenFrom: "/login/code/enter")
            #expect(signedIn.location == "/account?connect=github")
            let page = await client.follow(signedIn)
            #expect(page.text.contains("Finish connecting GitHub"))
            let connected = try await social.connect("github", client)
            #expect(connected.location == "/account")
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
        }
    }
}
