import Foundation
import Security

/// A mail address with an optional display name, as in `EMAIL_FROM="Latchkey <no-reply@example.com>"`.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public var name: String?
    public var address: String

    /// An address; CR, LF and angle brackets are removed, so nothing can smuggle in a header.
    public init(_ address: String, name: String? = nil) {
        self.address = MailMessage.headerSafe(address).filter { $0 != "<" && $0 != ">" && $0 != " " }
        self.name = name.map(MailMessage.headerSafe).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Parses `Name <address>` or a bare address; nil when there is no plausible address.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            self.init(String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]), name: name)
        } else {
            self.init(trimmed)
        }
        guard IdentityRules.emailProblem(address) == nil else { return nil }
    }

    /// The header form: `"Name" <address>` (the name encoded when it is not plain ASCII).
    public var description: String {
        guard let name else { return "<\(address)>" }
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }
        return (plain ? "\"\(name)\"" : MailMessage.encodedWord(name)) + " <\(address)>"
    }
}

/// One message, rendered to RFC 5322 text with a plain-text part and, when given, an HTML part
/// (`multipart/alternative`). Every header value is made safe first: no CR or LF can end a
/// header early and start another, and non-ASCII text is an RFC 2047 encoded word.
public struct MailMessage: Sendable, Equatable {
    public var to: MailAddress
    public var subject: String
    public var text: String
    public var html: String?

    /// A message to `to`.
    public init(to: MailAddress, subject: String, text: String, html: String? = nil) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }

    /// The message as sent, from `from`, with `messageID` (without brackets) and a `Date` of `date`.
    public func rendered(from: MailAddress, messageID: String, date: Int) -> [UInt8] {
        var lines = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedWordIfNeeded(Self.headerSafe(subject)))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(Self.headerSafe(messageID))>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        if let html {
            let boundary = "=_latchkey_" + Hex.encode(SecureRandom.bytes(12))
            lines.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines += Self.part(text, type: "text/plain")
            lines.append("--\(boundary)")
            lines += Self.part(html, type: "text/html")
            lines.append("--\(boundary)--")
        } else {
            lines += Self.part(text, type: "text/plain")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A body part's headers and base64 body (76-character lines): any byte travels safely,
    /// and no line of ours can ever be a lone "." or too long for a server.
    static func part(_ body: String, type: String) -> [String] {
        let encoded = Base64.encode(Array(body.utf8))
        var lines = ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    /// `text` without CR, LF or other control characters (they would end the header).
    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
            .trimmingCharacters(in: .whitespaces)
    }

    static func encodedWordIfNeeded(_ text: String) -> String {
        text.unicodeScalars.allSatisfy(\.isASCII) ? text : encodedWord(text)
    }

    /// RFC 2047 `=?UTF-8?B?…?=`.
    static func encodedWord(_ text: String) -> String { "=?UTF-8?B?\(Base64.encode(Array(text.utf8)))?=" }

    /// `Thu, 03 Dec 2026 17:05:00 +0000`.
    static func rfc5322Date(_ seconds: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
