import Accounts
import FakeProviders
import Foundation
import Identity
import IdentityWeb
import Testing
import Web
import WebTesting

/// Issue 12: the outbox hands mail to a real SMTP server over libcurl (here our sink on
/// 127.0.0.1, mostly without TLS, the only case `tls=none` allows, and with STARTTLS and a
/// private authority as production would), records each outcome, retries what failed for a
/// reason that may pass, and gives up on what was refused for good.
@Suite struct MailDeliveryTests {
    func site(_ sink: SMTPSink) async throws -> TestSite {
        try await TestSite.make(["EMAIL_URL": "smtp://mailer:secret@127.0.0.1:\(sink.port)?tls=none",
                                 "EMAIL_FROM": "Latchkey Test <no-reply@latchkey.test>"])
    }

    func deliver(_ site: TestSite) async throws -> Int {
        let setting = site.services.configuration.mail
        let transport = try #require(CoreServices.transport(for: setting, logger: Logger(sink: .capturing())))
        return try await #require(site.services.core.outbox).deliverDue(database: site.services.database, send: transport.outboxSender)
    }

    func askForReset(_ site: TestSite) async {
        await site.client().submit("/password/forgot", [("identifier", "ada")], tokenFrom: "/password/forgot")
    }

    @Test func aResetLinkTravelsOverSMTPWithAuthenticationAndAUniqueMessageID() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "secret")
        defer { sink.stop() }
        let site = try await site(sink)
        _ = try await site.createUser("ada")
        await askForReset(site)
        await askForReset(site)
        #expect(try await deliver(site) == 2)
        let mail = sink.waitForMessages(count: 2)
        #expect(mail.count == 2)
        #expect(mail.first?.from == "no-reply@latchkey.test")
        #expect(mail.first?.recipients == ["ada@example.com"])
        #expect(mail.first?.data.contains("From: \"Latchkey Test\" <no-reply@latchkey.test>") == true)
        let ids = mail.compactMap { $0.data.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") } }
        #expect(Set(ids).count == 2, "each message has its own Message-ID")
        #expect(ConsoleMailTransport.plainText(mail.first?.data ?? "")?.contains("/password/reset?token=") == true)
        let rows = try await site.query("SELECT status, data_enc FROM outbox")
        #expect(try rows.allSatisfy { try $0.string("status") == "sent" && $0.string("data_enc").isEmpty })
    }

    @Test func theProductionFormOfTheURLGoesOverSTARTTLSWithAPrivateAuthority() async throws {
        // EMAIL_URL as production writes it (no tls=none): STARTTLS, with EMAIL_CA_FILE trusted.
        let sink = try SMTPSink.start(username: "mailer", password: "secret", tls: .startTLS)
        defer { sink.stop() }
        let site = try await TestSite.make(["EMAIL_URL": "smtp://mailer:secret@127.0.0.1:\(sink.port)",
                                            "EMAIL_CA_FILE": try #require(sink.caFile)])
        _ = try await site.createUser("ada")
        await askForReset(site)
        #expect(try await deliver(site) == 1)
        #expect(sink.messages.map(\.overTLS) == [true])
        #expect(sink.messages.first?.recipients == ["ada@example.com"])
    }

    @Test func withoutThePrivateAuthorityTheMailWaitsWithTheReasonRecorded() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "secret", tls: .startTLS)
        defer { sink.stop() }
        let site = try await TestSite.make(["EMAIL_URL": "smtp://mailer:secret@127.0.0.1:\(sink.port)"])
        _ = try await site.createUser("ada")
        await askForReset(site)
        #expect(try await deliver(site) == 0)
        let row = try #require(try await site.query("SELECT status, last_error FROM outbox").first)
        #expect(try row.string("status") == "pending", "a certificate problem may be fixed; the mail waits")
        #expect(try row.optionalString("last_error")?.localizedCaseInsensitiveContains("certificate") == true)
        #expect(sink.messages.isEmpty)
    }

    @Test func aServerThatRefusesForNowIsRetriedLaterAndAFinalRefusalIsRecorded() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "secret")
        defer { sink.stop() }
        let site = try await site(sink)
        _ = try await site.createUser("ada")
        await askForReset(site)
        sink.inject(.rejectMail(code: 451))
        #expect(try await deliver(site) == 0)
        var row = try #require(try await site.query("SELECT status, attempts, last_error, next_attempt_at FROM outbox").first)
        #expect(try row.string("status") == "pending")
        #expect(try row.int("attempts") == 1)
        #expect(try row.optionalString("last_error")?.contains("451") == true)
        #expect(try row.int("next_attempt_at") > Clock.now, "it waits before the next try")

        _ = try await site.services.database.write { db in try db.execute("UPDATE outbox SET next_attempt_at = 0") }
        sink.inject(.dropMidMessage)
        #expect(try await deliver(site) == 0)
        #expect(try await site.query("SELECT status FROM outbox").first?.string("status") == "pending", "a dropped connection is retried")

        _ = try await site.services.database.write { db in try db.execute("UPDATE outbox SET next_attempt_at = 0") }
        sink.inject(.rejectData(code: 554))
        #expect(try await deliver(site) == 0)
        row = try #require(try await site.query("SELECT status, data_enc FROM outbox").first)
        #expect(try row.string("status") == "failed", "a 5xx refusal is final")
        #expect(try row.string("data_enc").isEmpty, "and keeps no secret")
        #expect(sink.messages.isEmpty)
    }

    @Test func anUnreachableServerNeverFailsTheRequestThatQueuedTheMail() async throws {
        let sink = try SMTPSink.start()
        let port = sink.port
        sink.stop()
        let site = try await TestSite.make(["EMAIL_URL": "smtp://127.0.0.1:\(port)?tls=none"])
        _ = try await site.createUser("ada")
        let asked = await site.client().submit("/password/forgot", [("identifier", "ada")], tokenFrom: "/password/forgot")
        #expect(asked.status.code == 200)
        #expect(try await deliver(site) == 0)
        #expect(try await site.query("SELECT status FROM outbox").first?.string("status") == "pending")
    }

    @Test func anAdministratorSendsAResetLinkAndSeesWhatBecameOfIt() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob")
        let sent = await admin.adminPost("/admin/users/\(bob.id)/password-reset")
        #expect(sent.status.code == 303)
        #expect(try await site.auditRows("admin_password_reset_sent").count == 1)
        let page = await admin.get("/admin/users/\(bob.id)")
        #expect(page.text.contains("password reset"))
        #expect(page.text.contains("pending"))
    }

    @Test func anAdministratorCannotMailSomeoneWithoutAnAddress() async throws {
        let site = try await TestSite.make()
        let admin = try await site.adminClient()
        let bob = try await site.createUser("bob")
        _ = try await site.services.database.write { db in try db.execute("UPDATE users SET email = NULL, email_key = NULL WHERE id = ?", bob.id) }
        let refused = await admin.adminPost("/admin/users/\(bob.id)/password-reset")
        #expect(refused.status.code == 303)
        #expect(await admin.follow(refused).flashes.contains { $0.contains("has no email address") })
        #expect(try await site.auditRows("admin_password_reset_sent").isEmpty)
        #expect(try await site.count("password_resets") == 0)
    }

    @Test func anOversizedOrEmptyRequestGetsTheSamePage() async throws {
        let site = try await TestSite.make()
        for identifier in ["", String(repeating: "a", count: 5000) + "@example.com", "x\r\nBcc: victim@example.com"] {
            let page = await site.client().submit("/password/forgot", [("identifier", identifier)], tokenFrom: "/password/forgot")
            #expect(page.status.code == 200)
            #expect(page.text.contains("If an account matches"))
        }
        #expect(try await site.count("outbox") == 0)
    }
}
