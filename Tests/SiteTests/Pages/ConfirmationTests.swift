import Accounts
import Foundation
@testable import IdentityWeb
import Testing
import Web
import WebTesting

/// Issue 16: a destructive action never happens on one click. The first POST (what every
/// existing button sends) answers with a page naming the consequences; only its button, which
/// posts the same form again with `confirm=1` and a fresh CSRF token, acts. No JavaScript.
@Suite struct ConfirmationTests {
    /// The confirmation page's form: its action and hidden fields, as a browser would send them.
    private func confirmForm(_ page: TestResponse) throws -> (action: String, fields: [(String, String)]) {
        let html = page.text
        let section = try #require(html.range(of: "class=\"card confirm\"").map { html[$0.upperBound...] })
        let form = try #require(section.range(of: "<form method=\"post\" action=\"").map { section[$0.upperBound...] })
        let action = String(form[..<form.firstIndex(of: "\"")!])
        let body = form[..<(form.range(of: "</form>")?.lowerBound ?? form.endIndex)]
        var fields: [(String, String)] = []
        for piece in body.components(separatedBy: "<input type=\"hidden\" name=\"").dropFirst() {
            let parts = piece.components(separatedBy: "\" value=\"")
            guard parts.count >= 2, let end = parts[1].firstIndex(of: "\"") else { continue }
            fields.append((parts[0], String(parts[1][..<end]).replacingOccurrences(of: "&#x2F;", with: "/")))
        }
        return (action, fields)
    }

    @Test func disconnectingAsksFirstAndOnlyTheConfirmationActs() async throws {
        try await SocialSite.with([.github]) { social in
            try await social.site.createUser("alice")
            let client = social.site.client()
            await client.signIn("alice")
            _ = try await social.connect("github", client)
            let link = try #require(try await social.link("github", uid: social.github.person.uid))

            let asked = await client.post("/account/connections/\(link.id)/delete", form: [("csrf_token", await social.csrfToken(client))])
            #expect(asked.status == .ok)
            #expect(asked.text.contains("Disconnect GitHub?"))
            #expect(asked.text.contains("You can no longer sign in with this GitHub account"))
            #expect(asked.text.contains("href=\"/account\">Cancel</a>"))
            #expect(asked.headers["Cache-Control"] == "no-store")
            #expect(try await social.link("github", uid: social.github.person.uid) != nil, "nothing happened yet")

            let (action, fields) = try confirmForm(asked)
            #expect(action == "/account/connections/\(link.id)/delete")
            #expect(fields.contains { $0 == ("confirm", "1") })
            let done = await client.post(action, form: fields)
            #expect(done.location == "/account")
            #expect(await client.follow(done).flashes == ["GitHub has been disconnected from your account."])
            #expect(try await social.link("github", uid: social.github.person.uid) == nil)
        }
    }

    @Test func theConfirmationStillNeedsTheCSRFToken() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob")
        _ = admin
        let refused = await admin.post("/admin/users/\(bob.id)/disable", form: [("confirm", "1")])
        #expect(refused.status == .forbidden)
        #expect(try await site.user("bob")?.isDisabled == false)
    }

    /// Every destructive admin action: the first POST only asks, and changes nothing.
    @Test func everyDestructiveAdminActionAsksFirst() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob", admin: true)
        let browser = site.client()
        await browser.signIn("bob")
        let link = try await site.seedLink(userID: bob.id, provider: "github", uid: "42", login: "bobcat")
        let token = await admin.csrfToken(from: "/admin")
        let audited = try await site.services.database.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM audit_log")?.int("n") }
        let questions: [(String, String)] = [
            ("/admin/users/\(bob.id)/sessions/end-all", "End every session of bob?"),
            ("/admin/users/\(bob.id)/sessions/end", "End this session of bob?"),
            ("/admin/users/\(bob.id)/accounts/\(link)/revoke", "Revoke this GitHub token?"),
            ("/admin/users/\(bob.id)/accounts/\(link)/unlink", "Unlink GitHub from this account?"),
            ("/admin/users/\(bob.id)/admin/revoke", "Take away the administrator rights of bob?"),
            ("/admin/users/\(bob.id)/admin/grant", "Make bob an administrator?"),
            ("/admin/users/\(bob.id)/disable", "Disable bob?"),
            ("/admin/users/\(bob.id)/mfa/reset", "Remove the second factors of bob?"),
        ]
        for (path, question) in questions {
            let page = await admin.post(path, form: [("csrf_token", token), ("session", "abc")])
            #expect(page.status == .ok, "\(path)")
            #expect(page.text.contains(question), "\(path)")
            #expect(page.text.contains("<input type=\"hidden\" name=\"session\" value=\"abc\">"), "the form's fields are carried: \(path)")
        }
        #expect(try await site.user("bob")?.isDisabled == false)
        #expect(try await site.user("bob")?.isAdmin == true)
        #expect(try await site.sessionCount(of: "bob") == 1)
        #expect(try await site.services.database.read { db in try db.queryOne("SELECT COUNT(*) AS n FROM audit_log")?.int("n") } == audited)
        #expect(await admin.post("/admin/users/999999/disable", form: [("csrf_token", token)]).status == .notFound,
                "a missing target is a 404, not a question")
    }

    @Test func accountActionsAskFirst() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        await site.client().signIn("alice")
        let token = await client.csrfToken(from: "/account")
        let asked = await client.post("/account/sessions/others/delete", form: [("csrf_token", token)])
        #expect(asked.text.contains("Sign out of your other sessions?"))
        #expect(try await site.sessionCount(of: "alice") == 2)
        for (path, question) in [("/account/totp/delete", "Turn off the authenticator app?"), ("/account/recovery-codes", "Make new recovery codes?")] {
            #expect(await client.post(path, form: [("csrf_token", token)]).text.contains(question), "\(path)")
        }
        for path in ["/account/api-tokens/1/delete", "/account/passkeys/1/delete"] {
            #expect(await client.post(path, form: [("csrf_token", token)]).status == .notFound, "nothing to ask about: \(path)")
        }
        let done = await client.post("/account/sessions/others/delete", form: [("csrf_token", token), ("confirm", "1")])
        #expect(done.location == "/account")
        #expect(try await site.sessionCount(of: "alice") == 1)
    }

    /// A password or code typed into the first form is never written into the question's page.
    @Test func passwordsAndCodesAreNeverCarried() async throws {
        let form = FormData([("csrf_token", "t"), ("confirm", "0"), ("session", "s1"), ("current_password", "hunter2"), ("code", "123456")])
        #expect(Confirmation.carried(form).map(\.name) == ["session"])
        #expect(Confirmation.carried(form).map(\.value) == ["s1"])
    }
}
