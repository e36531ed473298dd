import Accounts
import Foundation
import Identity
import IdentityWeb
import Testing
import Web
import WebTesting

/// Issue 14, item 5: sensitive actions need a sign-in within `REAUTHENTICATION_TIMEOUT`;
/// after it, the person confirms it is them and comes back to the page they were on.
@Suite struct ReauthenticationTests {
    private static func isReauthentication(_ response: TestResponse, next: String) -> Bool {
        response.status.code == 303 && response.location == "/account/reauthenticate?next=" + FormData.encode(next)
    }

    @Test func everySignInRecordsWhenAndHow() async throws {
        let site = try await TestSite.make()
        try await site.createUser("bob")
        let client = site.client()
        await client.signIn("bob")
        let values = try await site.sessionValues(of: client)
        #expect(values["amr"] == "pwd")
        let at = try #require(values["auth_at"].flatMap { Int($0) })
        #expect(abs(at - Clock.now) <= 5)
    }

    @Test func staleSessionIsSentToReauthenticateBeforeEveryProtectedAction() async throws {
        let site = try await TestSite.make()
        let root = try await site.adminClient("root")
        let bob = try await site.createUser("bob")
        let link = try await site.seedLink(userID: bob.id, provider: "github", uid: "4242", login: "bobhub")
        let client = site.client()
        await client.signIn("bob")
        let hashBefore = try await site.passwordHash(of: "bob")
        try await site.ageSignIn(of: client)
        try await site.ageSignIn(of: root)

        let token = await client.csrfToken(from: "/account")
        let actions: [(String, [(String, String)])] = [
            ("/account/password", [("current_password", TestSite.password), ("new_password", "a brand new password"),
                                   ("new_password_confirmation", "a brand new password")]),
            ("/account/email", [("new_email", "bob.new@example.com"), ("email_password", TestSite.password)]),
            ("/account/connections/\(link)/delete", []),
            ("/account/delete", [("confirm", "bob")]),
            ("/account/api-tokens", []),
            ("/auth/github", [("intent", "connect")]),
            // The second-factor pages are written elsewhere; their prefixes are guarded already.
            ("/account/mfa/totp/remove", []),
            ("/account/security/passkeys/1/delete", []),
        ]
        for (path, fields) in actions {
            let response = await client.post(path, form: [("csrf_token", token)] + fields)
            #expect(Self.isReauthentication(response, next: "/account"), "\(path) answered \(response.status.code) \(response.location ?? "")")
        }
        // The form's page, when the browser says where it was.
        let referred = await client.post("/account/password", form: [("csrf_token", token)], headers: ["Referer": "http://localhost/account?tab=security"])
        #expect(Self.isReauthentication(referred, next: "/account?tab=security"))
        // A page that leads to one is asked for again afterwards.
        #expect(Self.isReauthentication(await client.get("/account/delete"), next: "/account/delete"))
        #expect(Self.isReauthentication(await root.adminPost("/admin/users/\(bob.id)/disable"), next: "/admin/users/\(bob.id)"))

        // Nothing happened.
        #expect(try await site.passwordHash(of: "bob") == hashBefore)
        let stored = try #require(try await site.user("bob"))
        #expect(!stored.isDisabled && stored.deletedAt == nil)
        #expect(try await site.count("social_accounts") == 1)
        #expect(try await site.outboxKinds(to: "bob.new@example.com").isEmpty)
        // Reading pages and harmless actions are not held up.
        #expect(await client.get("/account").status.code == 200)
        #expect(await root.get("/admin/users/\(bob.id)").status.code == 200)
    }

    @Test func reAuthenticationBypassAttemptsDoNothing() async throws {
        let site = try await TestSite.make()
        try await site.createUser("bob")
        let client = site.client()
        await client.signIn("bob")
        let token = await client.csrfToken(from: "/account")
        func deleteRefused() async throws -> Bool {
            let response = await client.post("/account/delete", form: [("csrf_token", token), ("confirm", "bob"), ("auth_at", String(Clock.now))])
            let kept = try await site.user("bob")?.deletedAt == nil
            return Self.isReauthentication(response, next: "/account") && kept
        }
        // A session from before sign-ins were timed.
        try await site.editSession(of: client) { $0["auth_at"] = nil; $0["amr"] = nil }
        #expect(try await deleteRefused())
        // A time in the future (a clock that jumped) is not "recent".
        try await site.editSession(of: client) { $0["auth_at"] = String(Clock.now + 86_400) }
        #expect(try await deleteRefused())
        try await site.ageSignIn(of: client)
        #expect(try await deleteRefused())
        // A wrong password, or a code never asked for, confirms nothing.
        let wrong = await client.post("/account/reauthenticate", form: [("csrf_token", token), ("password", "not my password")])
        #expect(wrong.status.code == 401)
        #expect(try await deleteRefused())
        let code = await client.post("/account/reauthenticate/code/enter", form: [("csrf_token", token), ("code", "AAAA-AAAA")])
        #expect(code.status.code == 303)
        #expect(try await deleteRefused())
        // Paths the router reads as the same route are guarded alike.
        for path in ["/account//delete", "/account/delete/", "/account/%64elete", "//account/delete"] {
            let response = await client.post(path, form: [("csrf_token", token), ("confirm", "bob")])
            #expect(response.status.code == 303 && response.location?.hasPrefix("/account/reauthenticate?next=") == true, "\(path)")
        }
        #expect(try await site.user("bob")?.deletedAt == nil)
        // Without the CSRF token the guard is never reached: refused outright.
        #expect(await client.post("/account/delete", form: [("confirm", "bob")]).status.code == 403)
        // After confirming, `next` still only goes to a local page.
        let confirmed = await client.post("/account/reauthenticate", form: [("csrf_token", token), ("password", TestSite.password),
                                                                            ("next", "https://evil.example/")])
        #expect(confirmed.location == "/account")
        #expect(try await site.auditCount("reauthenticated") == 1)
    }

    @Test func confirmingWithThePasswordLetsTheActionThroughAndReturnsToThePage() async throws {
        let site = try await TestSite.make()
        let root = try await site.adminClient("root")
        let bob = try await site.createUser("bob")
        try await site.ageSignIn(of: root)
        let page = "/admin/users/\(bob.id)"
        let refused = await root.adminPost("\(page)/disable")
        #expect(Self.isReauthentication(refused, next: page))
        let form = await root.follow(refused)
        #expect(form.status.code == 200)
        #expect(form.text.contains("Confirm it is you"))
        #expect(form.flashes == ["For your security, please confirm it is you, then try again."])
        let token = try #require(TestClient.hiddenField("csrf_token", in: form.text))
        #expect(TestClient.hiddenField("next", in: form.text) == page)
        let confirmed = await root.post("/account/reauthenticate", form: [("csrf_token", token), ("password", TestSite.password), ("next", page)])
        #expect(confirmed.status.code == 303)
        #expect(confirmed.location == page)
        // The method joins those of the sign-in; the time moves on.
        let values = try await site.sessionValues(of: root)
        #expect(values["amr"] == "pwd")
        #expect(abs((values["auth_at"].flatMap { Int($0) } ?? 0) - Clock.now) <= 5)
        #expect(await root.adminPost("\(page)/disable").location == page)
        #expect(try await site.user("bob")?.isDisabled == true)
    }

    @Test func wrongPasswordsOnTheConfirmPageCountTowardSignInThrottling() async throws {
        let site = try await TestSite.make(["LOGIN_MAX_FAILURES": "2"])
        try await site.createUser("bob")
        let client = site.client()
        await client.signIn("bob")
        try await site.ageSignIn(of: client)
        let token = await client.csrfToken(from: "/account/reauthenticate")
        for _ in 0..<2 {
            let wrong = await client.post("/account/reauthenticate", form: [("csrf_token", token), ("password", "not my password")])
            #expect(wrong.status.code == 401)
            #expect(wrong.alert == "That is not your password.")
        }
        let throttled = await client.post("/account/reauthenticate", form: [("csrf_token", token), ("password", TestSite.password)])
        #expect(throttled.status.code == 429)
        #expect(throttled.headers["Retry-After"] != nil)
        // The same count as the sign-in form's.
        #expect(await site.client().signIn("bob").status.code == 429)
        #expect(try await site.auditCount("reauthenticated") == 0)
    }

    @Test func anAccountWithoutAPasswordConfirmsWithAMailedCode() async throws {
        let site = try await TestSite.make()
        let carol = try await site.createUser("carol")
        _ = try await site.deliverMail()
        let client = site.client()
        await client.signIn("carol")
        try await site.services.database.write { db in _ = try db.execute("UPDATE users SET password_hash = NULL WHERE id = ?", carol.id) }
        try await site.ageSignIn(of: client)
        let refused = await client.submit("/account/delete", [("confirm", "carol")], tokenFrom: "/account")
        #expect(Self.isReauthentication(refused, next: "/account"))
        let page = await client.get("/account/reauthenticate?next=%2Faccount%2Fdelete")
        #expect(page.text.contains("Email me a code") && !page.text.contains("name=\"password\""))
        let token = try #require(TestClient.hiddenField("csrf_token", in: page.text))
        let sent = await client.post("/account/reauthenticate/code", form: [("csrf_token", token), ("next", "/account/delete")])
        #expect(sent.location == "/account/reauthenticate?next=%2Faccount%2Fdelete")
        let code = try await site.mailedCode(to: "carol@example.com")
        let confirmed = await client.post("/account/reauthenticate/code/enter", form: [("csrf_token", token), ("code", code), ("next", "/account/delete")])
        #expect(confirmed.location == "/account/delete")
        #expect(try await site.sessionValues(of: client)["amr"] == "pwd email")
        #expect(await client.get("/account/delete").status.code == 200)
    }
}
