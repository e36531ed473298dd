import FakeProviders
import Foundation
import Testing
import Web

/// The product's SMTP client (libcurl through `CurlSMTPTransport`) against the sink with TLS:
/// what `EMAIL_URL=smtp://…` and `smtps://…` with `EMAIL_CA_FILE` do in production, with a
/// certificate from a throwaway authority instead of a public one.
@Suite struct MailOverTLSTests {
    /// A message whose body has lines curl must dot-stuff and the sink must unstuff.
    static let message = "From: a@example.com\r\nTo: b@example.com\r\nSubject: tls\r\n\r\n.one leading dot\r\n..two\r\n.\r\nlast\r\n"
    static let envelope = MailEnvelope(from: "a@example.com", recipients: ["b@example.com"], data: Array(message.utf8))
    static let delivered = ReceivedMail(from: "a@example.com", recipients: ["b@example.com"], data: message, overTLS: true)

    /// Verbs a client must never send to a server it has not secured: they carry the password or the mail.
    static let secrets: Set = ["AUTH", "MAIL", "RCPT", "DATA"]

    /// A transport for `url`; a short total timeout, since only a stall ever waits for it.
    static func transport(_ url: String, caFile: String?, totalTimeout: Double = 10) throws -> CurlSMTPTransport {
        CurlSMTPTransport(server: try SMTPServer(url: url, caFile: caFile), connectTimeout: 5, totalTimeout: totalTimeout)
    }

    /// Why `transport` did not deliver the test message, or nil if it did.
    static func failure(_ transport: CurlSMTPTransport) async -> MailError? {
        do {
            try await transport.send(envelope)
            return nil
        } catch {
            return error
        }
    }

    @Test func startTLSCarriesAuthAndADotStuffedMessage() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "s3cret", tls: .startTLS)
        defer { sink.stop() }
        let caFile = try #require(sink.caFile)
        let transport = try Self.transport("smtp://mailer:s3cret@127.0.0.1:\(sink.port)", caFile: caFile)
        try await transport.send(Self.envelope)
        // The sink records a message before it says 250, so it is there when send returns.
        #expect(sink.messages == [Self.delivered])
        // Nothing but EHLO and STARTTLS before the handshake; the second EHLO is RFC 3207's.
        #expect(Array(sink.verbs.prefix(7)) == ["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "DATA"])
    }

    @Test func aCertificateFromAnotherAuthorityIsRefusedAndNothingIsSent() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "s3cret", tls: .startTLS)
        defer { sink.stop() }
        // The system's authorities (no EMAIL_CA_FILE), then a private authority that is not the sink's.
        for caFile in [nil, try SMTPSink.unrelatedCAFile()] {
            let transport = try Self.transport("smtp://mailer:s3cret@127.0.0.1:\(sink.port)", caFile: caFile)
            let error = try #require(await Self.failure(transport), "caFile \(caFile ?? "none")")
            #expect(error.kind == .certificate, "\(error)")
            #expect(!error.permanent, "a configuration problem: the message may go once it is fixed")
        }
        #expect(sink.messages.isEmpty)
        #expect(sink.verbs.filter(Self.secrets.contains).isEmpty, "\(sink.verbs)")
    }

    @Test func aServerThatOffersNoStartTLSGetsNothingInClear() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "s3cret")
        defer { sink.stop() }
        // Without tls=none, smtp:// means STARTTLS or nothing (CURLUSESSL_ALL), even on loopback.
        let transport = try Self.transport("smtp://mailer:s3cret@127.0.0.1:\(sink.port)", caFile: sink.caFile)
        let error = try #require(await Self.failure(transport))
        #expect(error.kind == .tlsUnavailable, "\(error)")
        #expect(sink.messages.isEmpty)
        #expect(sink.verbs.first == "EHLO")
        #expect(sink.verbs.filter(Self.secrets.contains).isEmpty, "\(sink.verbs)")
    }

    @Test func smtpsDeliversToAnImplicitTLSSink() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "s3cret", tls: .implicit)
        defer { sink.stop() }
        let transport = try Self.transport("smtps://mailer:s3cret@127.0.0.1:\(sink.port)", caFile: sink.caFile)
        try await transport.send(Self.envelope)
        #expect(sink.messages == [Self.delivered])
        #expect(Array(sink.verbs.prefix(5)) == ["EHLO", "AUTH", "MAIL", "RCPT", "DATA"])
        let unverified = try Self.transport("smtps://mailer:s3cret@127.0.0.1:\(sink.port)", caFile: try SMTPSink.unrelatedCAFile())
        #expect(await Self.failure(unverified)?.kind == .certificate)
        #expect(sink.messages.count == 1)
    }

    @Test func faultsStillHappenInsideTLS() async throws {
        let sink = try SMTPSink.start(username: "mailer", password: "s3cret", tls: .startTLS)
        defer { sink.stop() }
        let transport = try Self.transport("smtp://mailer:s3cret@127.0.0.1:\(sink.port)", caFile: sink.caFile)
        sink.inject(.rejectMail(code: 451))
        sink.inject(.rejectData(code: 554))
        sink.inject(.dropMidMessage)
        sink.inject(.refuseConnection)
        let rejectedMail = try #require(await Self.failure(transport))
        #expect(rejectedMail.reason.contains("451") && !rejectedMail.permanent, "\(rejectedMail)")
        let rejectedData = try #require(await Self.failure(transport))
        #expect(rejectedData.reason.contains("554") && rejectedData.permanent, "\(rejectedData)")
        let dropped = try #require(await Self.failure(transport))
        #expect(!dropped.permanent, "\(dropped)")
        let refused = try #require(await Self.failure(transport))
        #expect(refused.kind == .other && !refused.permanent, "\(refused)")
        #expect(sink.messages.isEmpty)
        try await transport.send(Self.envelope)  // the faults are used up
        #expect(sink.messages == [Self.delivered])
        #expect(sink.connectionCount == 5)
    }

    @Test func aStallAfterTheImplicitHandshakeRunsIntoTheClientsTimeout() async throws {
        let sink = try SMTPSink.start(tls: .implicit)
        defer { sink.stop() }
        sink.inject(.stall)
        // The sink greets inside TLS, then answers nothing: only curl's total timeout ends the wait.
        let stalled = try Self.transport("smtps://127.0.0.1:\(sink.port)", caFile: sink.caFile, totalTimeout: 1)
        #expect(await Self.failure(stalled) != nil)
        try await Self.transport("smtps://127.0.0.1:\(sink.port)", caFile: sink.caFile).send(Self.envelope)
        #expect(sink.messages == [Self.delivered])
    }
}
