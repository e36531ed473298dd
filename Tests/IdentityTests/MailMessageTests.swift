import Identity
import Testing

/// Issue 12: names and subjects can never inject headers; non-ASCII travels as encoded words;
/// bodies as base64, so no line of ours can end the message early.
@Suite struct MailMessageTests {
    func rendered(_ message: MailMessage, from: MailAddress = MailAddress("no-reply@example.com", name: "Latchkey")) -> String {
        String(decoding: message.rendered(from: from, messageID: "abc@example.com", date: 1_800_000_000), as: UTF8.self)
    }

    @Test func crAndLFInSubjectsAndNamesCannotAddAHeader() {
        let message = MailMessage(to: MailAddress("ada@example.com", name: "Ada\r\nBcc: eve@example.com"),
                                  subject: "Hello\r\nBcc: eve@example.com\nX-Evil: 1", text: "hi")
        let text = rendered(message, from: MailAddress("no-reply@example.com", name: "Latch\nkey"))
        let headers = text.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Evil:") })
        #expect(headers.contains { $0.hasPrefix("Subject: Hello  Bcc: eve@example.com") })
        #expect(!text.contains("\n\r\n.") && !text.contains("\r\n.\r\n"), "no line is a lone dot")
    }

    @Test func nonASCIITextIsEncodedAndTheBodyIsBase64() {
        let text = rendered(MailMessage(to: MailAddress("zoe@example.com", name: "Zoë"), subject: "Réinitialiser", text: ".\nline\n.", html: "<p>é</p>"))
        #expect(text.contains("Subject: =?UTF-8?B?"))
        #expect(text.contains("To: =?UTF-8?B?"))
        #expect(text.contains("Content-Type: multipart/alternative"))
        #expect(text.contains("Content-Transfer-Encoding: base64"))
        #expect(text.contains("Message-ID: <abc@example.com>"))
        #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func fromParsesANameAndRefusesGarbage() {
        #expect(MailAddress(parsing: "Latchkey <no-reply@example.com>") == MailAddress("no-reply@example.com", name: "Latchkey"))
        #expect(MailAddress(parsing: "no-reply@example.com")?.name == nil)
        #expect(MailAddress(parsing: "not an address") == nil)
    }
}
