import Localization

/// What a new password must satisfy, on the site and the provider: at least 10 characters, at
/// most 1,024 (hashing a megabyte is a denial of service), at least 4 different characters, not
/// one of the passwords everyone tries first, and not the username with a little added.
public enum PasswordPolicy {
    public static let minimumLength = 10
    public static let maximumLength = 1024

    /// Why a password is refused, as a sentence for the form; nil when it is acceptable.
    public static func problem(with password: String, username: String = "") -> Message? {
        if password.count < minimumLength { return Message("Use at least {{count}} characters.", ["count": String(minimumLength)]) }
        if password.count > maximumLength { return Message("That password is too long (at most {{count}} characters).", ["count": String(maximumLength)]) }
        let folded = password.lowercased()
        if common.contains(folded) { return Message("That password is too common; choose one that is harder to guess.") }
        if Set(folded).count < 4 { return Message("That password is too easy to guess; mix more different characters.") }
        if !username.isEmpty && folded.contains(username.lowercased()) && folded.count < username.count + 6 {
            return Message("That password is too close to your username.")
        }
        return nil
    }

    /// A small list of the most used passwords of 10 characters or more (from public breach
    /// frequency lists), lowercased.
    static let common: Set<String> = [
        "1234567890", "0123456789", "1234567891", "12345678910", "0987654321", "1111111111", "0000000000",
        "1q2w3e4r5t", "qwertyuiop", "1qaz2wsx3edc", "qwerty1234", "qwerty12345", "qwerty123456", "1q2w3e4r5t6y",
        "password12", "password123", "password1234", "password!", "passw0rd123", "p@ssw0rd123", "password01",
        "iloveyou123", "abcdefghij", "abcd123456", "abc1234567", "a123456789", "123456789a", "zaq12wsxcde",
        "aaaaaaaaaa", "asdfghjkl;", "asdfghjkl1", "1234qwerasdf", "qazwsxedcrfv", "football123", "baseball123",
        "princess123", "sunshine123", "welcome123", "letmein123", "monkey1234", "dragon1234", "superman123",
        "starwars123", "trustno1234", "whatever123", "changeme123", "administrator", "admin12345", "admin123456",
        "123123123123", "1231231231", "9876543210", "5555555555", "7777777777", "qwertyqwerty", "passwordpassword",
        "correcthorse", "correcthorsebatterystaple", "q1w2e3r4t5", "1q2w3e4r5t6y7u", "mypassword", "mypassword1",
        "secret1234", "michael123", "jennifer123", "charlie123", "computer123", "internet123", "samsung123",
    ]
}
