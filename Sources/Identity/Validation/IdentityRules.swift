import Foundation
import Localization

/// What a username, an email address and a display name must look like, for the site and the
/// provider alike. Each rule answers with a sentence for the form (a `Message`, translated by the page), or nil when the value is fine.
public enum IdentityRules {
    /// Usernames: 3 to 30 characters.
    public static let maxUsernameLength = 30
    /// RFC 5321's limit on a forward path.
    public static let maxEmailLength = 254
    /// Display names.
    public static let maxNameLength = 100

    /// Why `username` is refused: 3 to 30 ASCII letters, digits, dots, dashes and underscores.
    public static func usernameProblem(_ username: String) -> Message? {
        if username.isEmpty { return Message("Choose a username.") }
        if username.count > maxUsernameLength { return Message("Use at most {{count}} characters.", ["count": String(maxUsernameLength)]) }
        if username.count < 3 { return Message("Use at least {{count}} characters.", ["count": "3"]) }
        let allowed = username.unicodeScalars.allSatisfy { s in
            (s.isASCII && CharacterSet.alphanumerics.contains(s)) || s == "_" || s == "-" || s == "."
        }
        return allowed ? nil : Message("Use only letters, digits, dots, dashes and underscores.")
    }

    /// Why `email` is refused: one `@`, a dotted domain, no spaces or control characters.
    public static func emailProblem(_ email: String) -> Message? {
        if email.isEmpty { return Message("Enter your email address.") }
        if email.utf8.count > maxEmailLength { return Message("That email address is too long.") }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            return Message("Enter a valid email address, like name@example.com.")
        }
        return nil
    }

    /// Why a display name is refused: at most 100 characters, no control characters.
    public static func nameProblem(_ name: String) -> Message? {
        if name.count > maxNameLength { return Message("Use at most {{count}} characters.", ["count": String(maxNameLength)]) }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return Message("Remove the control characters.") }
        return nil
    }

    /// Whether a typed username or address cannot name any account: it holds a control
    /// character, which no stored name or address has. Worth saying before a lookup, because
    /// PostgreSQL's client library ends a text parameter at its first NUL: `alice\0…` would
    /// otherwise find `alice`.
    public static func namesNobody(_ identifier: String) -> Bool {
        identifier.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The case-folded form stored in the unique `*_key` columns, so `Ada` and `ada` collide.
    public static func key(_ text: String) -> String { text.lowercased() }

    /// What a form's text field holds once surrounding spaces are dropped.
    public static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespaces) }
}
