import Foundation
import Identity
import IdentityWeb
import Localization
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// `/account/apps` (issue 15, point 9): the apps a user has authorized, and revoking one.
@Suite struct AuthorizedAppsTests {
    /// Signs `username` in to `client` through the code flow (with PKCE, consenting) and returns its tokens.
    static func signInTo(_ client: TestOAuthClient, browser: TestClient, scope: String = "openid profile") async throws -> (access: String, refresh: String) {
        let pkce = PKCEPair()
        let code = try await browser.authorizationCode(authorizeParameters(client, scope: scope, pkce: pkce))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                         ("code_verifier", pkce.verifier)], headers: client.basic)
        return (try #require(reply.fields["access_token"] as? String), try #require(reply.fields["refresh_token"] as? String))
    }

    @Test func listsEachAppWithItsScopesAndLastUse() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        try await provider.createUser("bob")
        let mail = try await provider.registerClient(name: "Mail Reader")
        let backup = try await provider.registerClient(name: "Backup Tool", redirectURIs: ["https://backup.test/cb"], skipConsent: true)
        _ = try await provider.registerClient(name: "Never Used", redirectURIs: ["https://never.test/cb"])
        let alice = provider.browser()
        await alice.signIn("alice")
        #expect(await alice.get("/account").text.contains("href=\"/account/apps\""), "linked from the account page")

        _ = try await Self.signInTo(mail, browser: alice, scope: "openid email")
        provider.clock.advance(120)
        _ = try await Self.signInTo(backup, browser: alice, scope: "openid profile")

        let page = await alice.get("/account/apps")
        #expect(page.status == .ok)
        let text = page.text
        let backupAt = try #require(text.range(of: "Backup Tool")), mailAt = try #require(text.range(of: "Mail Reader"))
        #expect(backupAt.lowerBound < mailAt.lowerBound, "most recently used first")
        #expect(!text.contains("Never Used"))
        #expect(text.contains("See your email address"), "Mail Reader's consented scope")
        #expect(text.contains("See your username and name"), "Backup Tool's token scope, with no consent on record")
        // Dates on pages are written the reader's way (English here), not as Clock.format's log form.
        #expect(text.contains(Translator.english.dateTime(provider.clock.now)))
        #expect(text.contains("/account/apps/\(mail.id)/revoke"))

        let bob = provider.browser()
        await bob.signIn("bob")
        let bobs = await bob.get("/account/apps")
        #expect(bobs.status == .ok && !bobs.text.contains("Mail Reader") && bobs.text.contains("You have not authorized any application"))
        #expect(await provider.browser().get("/account/apps").status == .seeOther, "anonymous visitors sign in first")
    }

    @Test func revokingEndsTokensAndConsentAfterAskingFirst() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(name: "Mail Reader")
        let other = try await provider.registerClient(name: "Other App", redirectURIs: ["https://other.test/cb"])
        let alice = provider.browser()
        await alice.signIn("alice")
        let tokens = try await Self.signInTo(client, browser: alice)
        let kept = try await Self.signInTo(other, browser: alice)

        let token = await alice.csrfToken(from: "/account/apps")
        let asked = await alice.post("/account/apps/\(client.id)/revoke", form: [("csrf_token", token)])
        #expect(asked.status == .ok && asked.text.contains("Revoke access for"), "asks first")
        #expect(try await provider.count("consents") == 2)
        let revoked = await alice.post("/account/apps/\(client.id)/revoke", form: [("csrf_token", token), ("confirm", "1")])
        #expect(revoked.status == .seeOther && revoked.location == "/account/apps")

        let introspected = await alice.token([("token", tokens.access)], headers: client.basic, path: "/oauth/introspect")
        #expect(introspected.fields["active"] as? Bool == false)
        let refreshed = await alice.token([("grant_type", "refresh_token"), ("refresh_token", tokens.refresh)], headers: client.basic)
        #expect(refreshed.oauthError == "invalid_grant")
        let again = await alice.get(authorizePath(authorizeParameters(client, scope: "openid profile", pkce: PKCEPair())))
        #expect(again.status == .ok && again.text.contains("Allow"), "consent is asked again")
        #expect(!(await alice.get("/account/apps").text.contains("Mail Reader")))

        let otherStill = await alice.token([("token", kept.access)], headers: other.basic, path: "/oauth/introspect")
        #expect(otherStill.fields["active"] as? Bool == true, "other apps keep their access")
    }

    @Test func anotherUsersAppIsNotFound() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        try await provider.createUser("bob")
        let client = try await provider.registerClient()
        let bob = provider.browser()
        await bob.signIn("bob")
        let bobTokens = try await Self.signInTo(client, browser: bob)

        let alice = provider.browser()
        await alice.signIn("alice")
        let token = await alice.csrfToken(from: "/account/apps")
        #expect(await alice.post("/account/apps/\(client.id)/revoke", form: [("csrf_token", token)]).status == .notFound)
        #expect(await alice.post("/account/apps/\(client.id)/revoke", form: [("csrf_token", token), ("confirm", "1")]).status == .notFound)
        #expect(await alice.post("/account/apps/no-such-client/revoke", form: [("csrf_token", token), ("confirm", "1")]).status == .notFound)
        let still = await bob.token([("token", bobTokens.access)], headers: client.basic, path: "/oauth/introspect")
        #expect(still.fields["active"] as? Bool == true)
        #expect(try await provider.count("consents") == 1)
    }

    @Test func revokingWithoutTheCSRFTokenIsRefused() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let alice = provider.browser()
        await alice.signIn("alice")
        let tokens = try await Self.signInTo(client, browser: alice)
        #expect(await alice.post("/account/apps/\(client.id)/revoke", form: [("confirm", "1")]).status == .forbidden)
        #expect(await alice.post("/account/apps/\(client.id)/revoke", form: [("csrf_token", "forged"), ("confirm", "1")]).status == .forbidden)
        let still = await alice.token([("token", tokens.access)], headers: client.basic, path: "/oauth/introspect")
        #expect(still.fields["active"] as? Bool == true)
        #expect(try await provider.count("consents") == 1)
    }

    @Test func concurrentRevokesLeaveOneConsistentResult() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let alice = provider.browser()
        await alice.signIn("alice")
        _ = try await Self.signInTo(client, browser: alice)
        let token = await alice.csrfToken(from: "/account/apps")
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask { await alice.post("/account/apps/\(client.id)/revoke", form: [("csrf_token", token), ("confirm", "1")]).status.code }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 303 || $0 == 404 } && statuses.contains(303))
        #expect(try await provider.count("consents") == 0)
        #expect(try await provider.query("SELECT COUNT(*) AS n FROM refresh_tokens WHERE revoked_at IS NULL").first?.int("n") == 0)
    }
}
