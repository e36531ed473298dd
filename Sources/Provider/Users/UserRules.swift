import Web
import Foundation

/// What a username, an email address, a display name and a password must look like. The
/// provider keeps its own rules, since it shares no code paths with the site's accounts.
enum UserRules {
    static let maxUsernameLength = 30
    static let maxEmailLength = 254
    static let maxNameLength = 100
    static let minPasswordLength = 10
    /// Hashing a megabyte of password is a denial of service.
    static let maxPasswordLength = 1024

    static func usernameProblem(_ username: String) -> String? {
        if username.isEmpty { return "Choose a username." }
        if username.count > maxUsernameLength { return "Use at most \(maxUsernameLength) characters." }
        if username.count < 3 { return "Use at least 3 characters." }
        let allowed = username.unicodeScalars.allSatisfy { s in
            (s.isASCII && CharacterSet.alphanumerics.contains(s)) || s == "_" || s == "-" || s == "."
        }
        return allowed ? nil : "Use only letters, digits, dots, dashes and underscores."
    }

    static func emailProblem(_ email: String) -> String? {
        if email.isEmpty { return "Enter your email address." }
        if email.utf8.count > maxEmailLength { return "That email address is too long." }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            return "Enter a valid email address, like name@example.com."
        }
        return nil
    }

    static func nameProblem(_ name: String) -> String? {
        if name.count > maxNameLength { return "Use at most \(maxNameLength) characters." }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { return "Remove the control characters." }
        return nil
    }

    static func passwordProblem(_ password: String, username: String) -> String? {
        if password.count < minPasswordLength { return "Use at least \(minPasswordLength) characters." }
        if password.count > maxPasswordLength { return "That password is too long (at most \(maxPasswordLength) characters)." }
        let folded = password.lowercased()
        if Set(folded).count < 4 { return "That password is too easy to guess; mix more different characters." }
        if !username.isEmpty && folded.contains(username.lowercased()) && folded.count < username.count + 6 {
            return "That password is too close to your username."
        }
        return nil
    }

    /// Every problem with a new user's details, by field.
    static func problems(with user: NewUser, password: String) -> FieldErrors {
        var errors = FieldErrors()
        if let problem = usernameProblem(user.username) { errors["username"] = problem }
        if let problem = emailProblem(user.email) { errors["email"] = problem }
        if let problem = nameProblem(user.name) { errors["name"] = problem }
        if let problem = passwordProblem(password, username: user.username) { errors["password"] = problem }
        return errors
    }
}
