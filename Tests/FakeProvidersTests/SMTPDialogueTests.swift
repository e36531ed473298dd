@testable import FakeProviders
import Foundation
import Testing

/// The sink's STARTTLS rules, line by line, without a socket or a handshake: the connection layer
/// is told to start TLS and reports back with `tlsStarted()`.
@Suite struct SMTPDialogueTests {
    static let credentials = SMTPSink.Credentials(username: "u", password: "p")
    static let plain = "AUTH PLAIN " + Data("\0u\0p".utf8).base64EncodedString()

    @Test func aStartTLSSinkRefusesAuthAndMailUntilTheHandshakeThenStartsOver() {
        var dialogue = SMTPDialogue(credentials: Self.credentials, tls: .startTLS, fault: nil)
        #expect(dialogue.receive("EHLO client.test") == .reply("250-sink.test\r\n250-STARTTLS\r\n250-8BITMIME\r\n250 SIZE 10485760"),
                "STARTTLS offered, AUTH not yet")
        #expect(dialogue.receive("MAIL FROM:<a@example.com>") == .reply("530 5.7.0 Must issue a STARTTLS command first"))
        #expect(dialogue.receive(Self.plain) == .reply("530 5.7.0 Must issue a STARTTLS command first"))
        #expect(dialogue.receive("RCPT TO:<b@example.com>") == .reply("503 5.5.1 Bad sequence of commands"))
        #expect(dialogue.receive("STARTTLS now") == .reply("501 5.5.4 Syntax: STARTTLS"))
        #expect(dialogue.receive("STARTTLS") == .startTLS("220 2.0.0 Ready to start TLS"))
        #expect(!dialogue.secure, "not until the connection says the handshake succeeded")

        dialogue.tlsStarted()
        #expect(dialogue.receive("MAIL FROM:<a@example.com>") == .reply("503 5.5.1 Bad sequence of commands"), "EHLO again first")
        #expect(dialogue.receive("EHLO client.test") == .reply("250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760"),
                "AUTH offered, STARTTLS no more")
        #expect(dialogue.receive("STARTTLS") == .reply("503 5.5.1 TLS already active"))
        #expect(dialogue.receive("MAIL FROM:<a@example.com>") == .reply("530 5.7.0 Authentication required"))
        #expect(dialogue.receive(Self.plain) == .reply("235 2.7.0 Authentication successful"))
        #expect(dialogue.receive("MAIL FROM:<a@example.com>") == .reply("250 2.1.0 Sender OK"))
        #expect(dialogue.receive("RCPT TO:<b@example.com>") == .reply("250 2.1.5 Recipient OK"))
        #expect(dialogue.receive("DATA") == .reply("354 End data with <CR><LF>.<CR><LF>"))
        #expect(dialogue.receive("..dot") == .silent)
        #expect(dialogue.receive(".") == .deliver(ReceivedMail(from: "a@example.com", recipients: ["b@example.com"], data: ".dot\r\n", overTLS: true)))
    }

    @Test func theHandshakeForgetsAnEarlierGreetingAndTransaction() {
        // Without credentials nothing but TLS stands before MAIL, so this is TLS's reset alone.
        var dialogue = SMTPDialogue(credentials: nil, tls: .startTLS, fault: nil)
        #expect(dialogue.receive("HELO client.test") == .reply("250 sink.test"))
        #expect(dialogue.receive("STARTTLS") == .startTLS("220 2.0.0 Ready to start TLS"))
        dialogue.tlsStarted()
        #expect(dialogue.receive("RCPT TO:<b@example.com>") == .reply("503 5.5.1 Bad sequence of commands"))
        #expect(dialogue.receive("EHLO client.test") == .reply("250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10485760"))
        #expect(dialogue.receive("MAIL FROM:<>") == .reply("250 2.1.0 Sender OK"))
    }

    @Test func aPlainSinkNeitherOffersNorAcceptsStartTLS() {
        var dialogue = SMTPDialogue(credentials: Self.credentials, tls: .none, fault: nil)
        #expect(dialogue.receive("EHLO client.test") == .reply("250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760"))
        #expect(dialogue.receive("STARTTLS") == .reply("502 5.5.1 STARTTLS not offered"))
        #expect(dialogue.receive(Self.plain) == .reply("235 2.7.0 Authentication successful"))
        #expect(dialogue.receive("MAIL FROM:<a@example.com>") == .reply("250 2.1.0 Sender OK"))
        #expect(dialogue.receive("RCPT TO:<b@example.com>") == .reply("250 2.1.5 Recipient OK"))
        #expect(dialogue.receive("DATA") == .reply("354 End data with <CR><LF>.<CR><LF>"))
        #expect(dialogue.receive(".") == .deliver(ReceivedMail(from: "a@example.com", recipients: ["b@example.com"], data: "", overTLS: false)))
    }

    @Test func anImplicitTLSSinkIsSecureFromTheStart() {
        var dialogue = SMTPDialogue(credentials: Self.credentials, tls: .implicit, fault: nil)
        #expect(dialogue.secure)
        #expect(dialogue.receive("EHLO client.test") == .reply("250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760"))
        #expect(dialogue.receive("STARTTLS") == .reply("503 5.5.1 TLS already active"))
        #expect(dialogue.receive(Self.plain) == .reply("235 2.7.0 Authentication successful"))
        #expect(dialogue.receive("MAIL FROM:<a@example.com>") == .reply("250 2.1.0 Sender OK"))
    }

    @Test func onlyCommandLinesAreCommands() {
        var dialogue = SMTPDialogue(credentials: Self.credentials, tls: .implicit, fault: nil)
        #expect(dialogue.receive("EHLO client.test") == .reply("250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760"))
        #expect(dialogue.receive("AUTH LOGIN") == .reply("334 VXNlcm5hbWU6"))
        #expect(!dialogue.awaitsCommand, "a username, not a command")
        _ = dialogue.receive(Data("u".utf8).base64EncodedString())
        _ = dialogue.receive(Data("p".utf8).base64EncodedString())
        #expect(dialogue.awaitsCommand)
    }
}
