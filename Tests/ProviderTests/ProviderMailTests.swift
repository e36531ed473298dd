import Foundation
import Identity
import IdentityWeb
import Synchronization
import Testing
import Web
import WebTesting
@testable import Provider

/// Issue 12: the provider mails through the identity core's outbox, in its own database, and
/// delivers it itself (`latchkey provider` starts the same delivery loop as the site).
@Suite struct ProviderMailTests {
    /// A transport that keeps what it is handed.
    final class RecordingTransport: MailTransport {
        let envelopes = Mutex<[MailEnvelope]>([])
        func send(_ envelope: MailEnvelope) async throws(MailError) { envelopes.withLock { $0.append(envelope) } }
    }

    @Test func theIdentityCoresMailTablesAreInTheProviderDatabase() async throws {
        let provider = try await TestProvider.make()
        let versions = try await provider.query("SELECT version FROM identity_schema_migrations ORDER BY version").map { try $0.int("version") }
        #expect(versions.contains(4) && versions.contains(5) && versions.contains(6), "outbox, password_resets, email_verifications")
        for table in ["outbox", "password_resets", "email_verifications", "rate_events"] {
            #expect(try await provider.count(table) == 0, "\(table) exists")
        }
    }

    @Test func theProviderDeliversItsOwnOutbox() async throws {
        let provider = try await TestProvider.make(["EMAIL_FROM": "Latchkey ID <id@provider.test>"])
        try await provider.createUser("alice")
        let transport = RecordingTransport()
        let delivery = try #require(provider.services.core.startMailDelivery(logger: Logger(sink: .capturing()), transport: transport))
        defer { delivery.cancel() }
        await provider.browser().submit("/password/forgot", [("identifier", "alice")], tokenFrom: "/password/forgot")
        for _ in 0..<200 where transport.envelopes.withLock({ $0.isEmpty }) { try await Task.sleep(nanoseconds: 100_000_000) }
        let envelope = try #require(transport.envelopes.withLock { $0.first })
        #expect(envelope.from == "id@provider.test")
        #expect(envelope.recipients == ["alice@example.com"])
        let text = String(decoding: envelope.data, as: UTF8.self)
        #expect(text.contains("From: \"Latchkey ID\" <id@provider.test>"))
        #expect(ConsoleMailTransport.plainText(text)?.contains("Latchkey ID account") == true)
        // The transport has the message before the loop records it as sent: wait for the record.
        var status: String?
        for _ in 0..<200 {
            status = try await provider.query("SELECT status FROM outbox").first?.string("status")
            if status == "sent" { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(status == "sent")
    }

    @Test func linksAreBuiltOnTheIssuerNotOnTheRequestsHost() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = provider.browser()
        browser.defaultHeaders = ["Host": "evil.test"]
        await browser.submit("/password/forgot", [("identifier", "alice")], tokenFrom: "/password/forgot")
        let text = try #require(try await provider.deliverMail().first?.text)
        #expect(text.contains(TestProvider.issuer + "/password/reset?token="))
        #expect(!text.contains("evil.test"))
    }
}
