import Identity
import Testing

/// The username, email and password rules the site and the provider share.
@Suite struct IdentityRulesTests {
    @Test(arguments: ["ab", "a b", "ünï", String(repeating: "a", count: 31), ""])
    func refusesBadUsernames(_ name: String) { #expect(IdentityRules.usernameProblem(name) != nil) }

    @Test(arguments: ["ada", "ada.lovelace", "ada-1_2"])
    func acceptsGoodUsernames(_ name: String) { #expect(IdentityRules.usernameProblem(name) == nil) }

    @Test(arguments: ["", "ada", "ada@", "@x.org", "ada@org", "ada@.org", "a da@x.org", "ada@x.org."])
    func refusesBadEmails(_ email: String) { #expect(IdentityRules.emailProblem(email) != nil) }

    @Test func passwordPolicy() {
        #expect(PasswordPolicy.problem(with: "short") != nil)
        #expect(PasswordPolicy.problem(with: "1234567890") != nil, "common")
        #expect(PasswordPolicy.problem(with: "abababababab") != nil, "too few different characters")
        #expect(PasswordPolicy.problem(with: "ada-lovelace1", username: "ada-lovelace") != nil, "too close to the username")
        #expect(PasswordPolicy.problem(with: "correct horse battery") == nil)
    }
}
