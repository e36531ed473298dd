import Accounts
import Foundation
import Identity
import IdentityWeb
import Synchronization
import Testing
import Web
import WebTesting

/// Issue 12: "Forgot your password?" mails a single-use link (30 minutes, void after any password
/// change); the page reads the same whether or not the account exists; a reset signs out every
/// session and revokes API tokens, and the owner is told.
@Suite struct PasswordResetTests {
    /// Messages the outbox hands over, decoded.
    final class Mailbox: Sendable {
        private let messages = Mutex<[(to: [String], text: String, raw: String)]>([])
        func add(_ to: [String], _ data: [UInt8]) {
            let raw = String(decoding: data, as: UTF8.self)
            messages.withLock { $0.append((to, ConsoleMailTransport.plainText(raw) ?? "", raw)) }
        }
        var all: [(to: [String], text: String, raw: String)] { messages.withLock { $0 } }
    }

    /// Delivers what the outbox holds into a new mailbox.
    func deliver(_ site: TestSite) async throws -> Mailbox {
        let mailbox = Mailbox()
        let outbox = try #require(site.services.core.outbox)
        try await outbox.deliverDue(database: site.services.database) { _, to, data in mailbox.add(to, data) }
        return mailbox
    }

    func link(in text: String) -> String? {
        text.range(of: #"/password/reset\?token=[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(text[$0]) }
    }

    @Test func aForgottenPasswordIsResetThroughTheMailedLinkOnce() async throws {
        let site = try await TestSite.make()
        let ada = site.client()
        _ = try await site.createUser("ada")
        await ada.signIn("ada")
        let token = try await site.services.database.write { db in try APITokenRepository.issue(userID: 1, lifetime: 3600, now: Clock.now, in: db).token }

        let visitor = site.client()
        let asked = await visitor.submit("/password/forgot", [("identifier", "ada@example.com")], tokenFrom: "/password/forgot")
        #expect(asked.status.code == 200)
        #expect(asked.text.contains("If an account matches"))
        let mail = try await deliver(site)
        #expect(mail.all.count == 1)
        #expect(mail.all.first?.to == ["ada@example.com"])
        #expect(mail.all.first?.raw.contains("Subject: Reset your Latchkey password") == true)
        let path = try #require(link(in: mail.all.first?.text ?? ""))
        #expect(try await site.query("SELECT data_enc FROM outbox").first?.string("data_enc") == "", "the link is not kept once sent")

        let form = await visitor.get(path)
        #expect(form.status.code == 200)
        #expect(form.text.contains("ada"))
        let tokenValue = String(path.split(separator: "=").last ?? "")
        let weak = await visitor.submit("/password/reset", [("token", tokenValue), ("new_password", "short"), ("new_password_confirmation", "short")],
                                        tokenFrom: path)
        #expect(weak.status.code == 422)
        let done = await visitor.submit("/password/reset", [("token", tokenValue), ("new_password", "a brand new passphrase"),
                                                            ("new_password_confirmation", "a brand new passphrase")], tokenFrom: path)
        #expect(done.status.code == 303)
        #expect(await ada.get("/account").status.code == 303, "every session ended")
        #expect(await site.client().api(.get, "/api/me", bearer: token).apiError == "invalid_token", "API tokens revoked")
        #expect(await site.client().signIn("ada", password: "a brand new passphrase").location == "/account")
        #expect(await site.client().signIn("ada@example.com", password: "a brand new passphrase").location == "/account", "by email too")
        #expect(await visitor.get(path).status.code == 410, "the link works once")
        let notices = try await deliver(site)
        #expect(notices.all.first?.raw.contains("Subject: Your Latchkey password was changed") == true)
    }

    @Test func anUnknownAccountGetsTheSamePageAndNoMail() async throws {
        let site = try await TestSite.make()
        let visitor = site.client()
        let asked = await visitor.submit("/password/forgot", [("identifier", "nobody@example.com")], tokenFrom: "/password/forgot")
        #expect(asked.status.code == 200)
        #expect(asked.text.contains("If an account matches"))
        #expect(try await site.count("outbox") == 0)
    }

    @Test func aLinkDiesWhenThePasswordChangesAnotherWayAndWhenItExpires() async throws {
        let site = try await TestSite.make()
        let ada = site.client()
        _ = try await site.createUser("ada")
        await ada.signIn("ada")
        await site.client().submit("/password/forgot", [("identifier", "ada")], tokenFrom: "/password/forgot")
        let path = try #require(link(in: try await deliver(site).all.first?.text ?? ""))
        #expect(await ada.changePassword(current: "correct horse battery", new: "another good passphrase").status.code == 303)
        #expect(await site.client().get(path).status.code == 410, "void after a password change")

        await site.client().submit("/password/forgot", [("identifier", "ada")], tokenFrom: "/password/forgot")
        let second = try #require(try await deliver(site).all.compactMap { link(in: $0.text) }.first, "the password-change notice comes too")
        _ = try await site.services.database.write { db in try db.execute("UPDATE password_resets SET expires_at = ?", Clock.now - 1) }
        #expect(await site.client().get(second).status.code == 410, "void after 30 minutes")
        #expect(await site.client().get("/password/reset?token=forged").status.code == 410)
    }

    @Test func requestsAreLimitedPerAccountSilentlyAndPerAddressOpenly() async throws {
        let site = try await TestSite.make()
        _ = try await site.createUser("ada")
        for _ in 0..<5 { await site.client().submit("/password/forgot", [("identifier", "ada")], tokenFrom: "/password/forgot") }
        #expect(try await site.count("outbox") == PasswordResets.limitPerAccount.limit, "the account's limit is silent")
        for _ in 0..<5 { await site.client().submit("/password/forgot", [("identifier", "someone")], tokenFrom: "/password/forgot") }
        let limited = await site.client().submit("/password/forgot", [("identifier", "ada")], tokenFrom: "/password/forgot")
        #expect(limited.status.code == 429, "an address asking for too many links is told")
    }

    /// Issue 12: changing the password from the account page tells the owner by mail.
    @Test func aPasswordChangeIsAnnouncedToTheOwner() async throws {
        let site = try await TestSite.make()
        let ada = site.client()
        _ = try await site.createUser("ada")
        await ada.signIn("ada")
        #expect(await ada.changePassword(current: "correct horse battery", new: "another good passphrase").status.code == 303)
        let mail = try await deliver(site)
        #expect(mail.all.count == 1)
        #expect(mail.all.first?.raw.contains("Subject: Your Latchkey password was changed") == true)
        #expect(mail.all.first?.text.contains("from your account page") == true)
    }
}
