import Identity
import Web
import Foundation
import Testing
import WebTesting

/// Creating a local account through the sign-up form.
@Suite struct SignUpTests {
    private func signUpForm(username: String, email: String, password: String, confirmation: String? = nil) -> [(String, String)] {
        [("username", username), ("email", email), ("password", password), ("password_confirmation", confirmation ?? password)]
    }

    @Test func successfulSignUpAsksForTheMailedCodeThenSignsIn() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let response = await client.submit("/signup", signUpForm(username: "alice", email: "alice@example.com", password: TestSite.password),
                                           tokenFrom: "/signup")
        #expect(response.status.code == 303)
        #expect(response.location == "/signup/verify")
        let waiting = await client.follow(response)
        #expect(waiting.text.contains("Check your email"))
        #expect(waiting.text.contains("alice@example.com"))
        #expect(try await site.count("users") == 1)
        #expect(try await site.auditCount("signup") == 1)
        #expect(try await site.sessionCount(of: "alice") == 0, "not signed in before the code or the skip")

        let wrong = await client.submit("/signup/verify", [("code", "BBBB-BBBB")], tokenFrom: "/signup/verify")
        #expect(wrong.status.code == 422)
        #expect(wrong.text.contains("4 tries left"))
        let code = try await site.mailedCode(to: "alice@example.com")
        let right = await client.submit("/signup/verify", [("code", code)], tokenFrom: "/signup/verify")
        #expect(right.location == "/account")
        let account = await client.follow(right)
        #expect(account.flashes == ["Welcome to Latchkey, alice! Your email address is verified."])
        #expect(account.text.contains("Signed in as <strong>alice</strong>"))
        #expect(try await site.user("alice")?.emailVerified == true)
        #expect(try await site.sessionCount(of: "alice") == 1)
        #expect(await client.get("/signup/verify").location == "/account", "the waiting sign-up is over")
    }

    @Test func skippingTheCodeSignsInWhenVerificationIsOptional() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let account = await client.signUp("alice")
        #expect(account.flashes == ["Welcome to Latchkey, alice! Verify your address when the code arrives."])
        #expect(account.text.contains("Verify your email address"))
        #expect(try await site.user("alice")?.emailVerified == false)
    }

    /// No enumeration: an address with an account gets the same page as a new one, and its owner
    /// a note instead of a code. No second account, no code that could work.
    @Test func anAddressInUseGetsTheSamePageAndItsOwnerANote() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice", email: "alice@example.com")
        _ = try await site.deliverMail()
        let fresh = await site.client().submit("/signup", signUpForm(username: "carol", email: "carol@example.com", password: TestSite.password),
                                               tokenFrom: "/signup")
        let client = site.client()
        let response = await client.submit("/signup", signUpForm(username: "bob", email: "ALICE@Example.COM", password: TestSite.password),
                                           tokenFrom: "/signup")
        #expect(response.status.code == fresh.status.code)
        #expect(response.location == fresh.location)
        let waiting = await client.follow(response)
        #expect(waiting.text.contains("Check your email"))
        #expect(waiting.text.contains("ALICE@Example.COM"))
        #expect(try await site.count("users") == 2, "alice and carol; no bob")
        #expect(try await site.outboxKinds(to: "ALICE@Example.COM") == ["email_in_use"])
        let note = try #require(try await site.deliverMail().first { $0.to == ["ALICE@Example.COM"] })
        #expect(note.code == nil)
        #expect(note.text.contains("An account already uses this address"))

        for remaining in [4, 3, 2, 1] {
            let wrong = await client.submit("/signup/verify", [("code", "BBBB-BBBB")], tokenFrom: "/signup/verify")
            #expect(wrong.status.code == 422)
            #expect(wrong.text.contains("\(remaining) tr"), "the phantom counts down like a real code")
        }
        #expect(await client.submit("/signup/verify", [("code", "BBBB-BBBB")], tokenFrom: "/signup/verify").text.contains("expired or was tried too often"))
        let skipped = await client.submit("/signup/verify/skip", [], tokenFrom: "/signup/verify")
        #expect(skipped.location == "/login", "nobody to sign in")

        // The owner's inbox is not a target: at most three such notes an hour.
        for index in 0..<5 {
            await site.client().submit("/signup", signUpForm(username: "mallory\(index)", email: "alice@example.com", password: TestSite.password),
                                       tokenFrom: "/signup")
        }
        #expect(try await site.query("SELECT COUNT(*) AS n FROM outbox WHERE LOWER(recipient) = 'alice@example.com'").first?.int("n") == 3)
    }

    @Test func withMailOffAnAddressInUseIsRefusedOnTheForm() async throws {
        let site = try await TestSite.make(["EMAIL_URL": "off"])
        try await site.createUser("alice", email: "alice@example.com")
        let response = await site.client().submit("/signup", signUpForm(username: "bob", email: "alice@example.com", password: TestSite.password),
                                                  tokenFrom: "/signup")
        #expect(response.status.code == 422)
        #expect(response.text.contains("An account with that email already exists."))
        let fresh = await site.client().submit("/signup", signUpForm(username: "carol", email: "carol@example.com", password: TestSite.password),
                                               tokenFrom: "/signup")
        #expect(fresh.location == "/account", "no code to wait for")
    }

    @Test(arguments: [
        ("short-pw", "short-pw", "Use at least 10 characters."),
        ("password123", "password123", "That password is too common"),
        ("Zq9-first-secret", "Zq9-other-secret", "The two passwords do not match."),
    ])
    func badPasswordReRendersTheFormWithFieldErrorsAndTypedValues(password: String, confirmation: String, message: String) async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let response = await client.submit("/signup", signUpForm(username: "alice", email: "alice@example.com", password: password,
                                                                 confirmation: confirmation), tokenFrom: "/signup")
        #expect(response.status.code == 422)
        #expect(response.text.contains(message))
        #expect(response.text.contains("class=\"field-error\""))
        #expect(response.text.contains("value=\"alice\""))
        #expect(response.text.contains("value=\"alice@example.com\""))
        #expect(!response.text.contains(password))
        #expect(!response.text.contains(confirmation))
        #expect(try await site.count("users") == 0)
    }

    /// Issue 16: every problem in one round, a taken username included, each field marked
    /// invalid and listed in the summary that takes focus.
    @Test func everyProblemIsReportedInOneRound() async throws {
        let site = try await TestSite.make(["EMAIL_URL": "off"])
        try await site.createUser("alice", email: "alice@example.com")
        let response = await site.client().submit("/signup", signUpForm(username: "alice", email: "alice@example.com", password: "short-pw",
                                                                        confirmation: "other-pw"), tokenFrom: "/signup")
        #expect(response.status.code == 422)
        for message in ["That username is taken.", "An account with that email already exists.", "Use at least 10 characters.",
                        "The two passwords do not match."] {
            #expect(response.text.contains("<li><a href=\"#") && response.text.contains("\">\(message)"), "in the summary: \(message)")
        }
        #expect(response.text.components(separatedBy: "aria-invalid=\"true\"").count - 1 == 4)
        #expect(response.text.contains("data-error-summary"))
        #expect(try await site.count("users") == 1)
    }

    @Test func usernameTakenInAnotherCaseIsRefused() async throws {
        let site = try await TestSite.make()
        try await site.createUser("Alice")
        let response = await site.client().submit("/signup", signUpForm(username: "alice", email: "other@example.com", password: TestSite.password),
                                                  tokenFrom: "/signup")
        #expect(response.status.code == 422)
        #expect(response.text.contains("That username is taken."))
        #expect(try await site.count("users") == 1)
    }

    @Test(arguments: [
        ("username", String(repeating: "a", count: 31), "Use at most 30 characters."),
        ("email", String(repeating: "a", count: 243) + "@example.com", "That email address is too long."),
        ("password", String(repeating: "Zq9-", count: 257), "That password is too long"),
    ])
    func overlongFieldIsRefusedWithAMessage(field: String, value: String, message: String) async throws {
        let site = try await TestSite.make()
        var values = ["username": "alice", "email": "alice@example.com", "password": TestSite.password]
        values[field] = value
        let response = await site.client().submit("/signup", signUpForm(username: values["username"]!, email: values["email"]!,
                                                                         password: values["password"]!), tokenFrom: "/signup")
        #expect(response.status.code == 422)
        #expect(response.text.contains(message))
        #expect(try await site.count("users") == 0)
    }

    @Test(arguments: ["'; DROP TABLE users; --", "al\"ice", "al\\ice", "al%ice", "x' OR '1'='1"])
    func usernameWithSQLMetacharactersIsRefusedByValidation(username: String) async throws {
        let site = try await TestSite.make()
        let response = await site.client().submit("/signup", signUpForm(username: username, email: "alice@example.com", password: TestSite.password),
                                                  tokenFrom: "/signup")
        #expect(response.status.code == 422)
        #expect(response.text.contains("Use only letters, digits, dots, dashes and underscores."))
        #expect(try await site.count("users") == 0)
    }

    @Test func sqlMetacharactersInAcceptedFieldsAreStoredVerbatim() async throws {
        let site = try await TestSite.make()
        let username = "under_score_"
        let email = "o'brien\";DROP_TABLE_users;--\\%_@example.com"
        let password = "'; DROP TABLE users; -- \"\\%_"
        let client = site.client()
        let response = await client.submit("/signup", signUpForm(username: username, email: email, password: password), tokenFrom: "/signup")
        #expect(response.status.code == 303)

        let rows = try await site.query("SELECT username, email FROM users")
        #expect(rows.count == 1)
        #expect(try rows.first?.string("username") == username)
        #expect(try rows.first?.string("email") == email)
        #expect(try await site.count("audit_log") == 1)

        // The password survives the trip through the form, the hash and back.
        let again = site.client()
        #expect(await again.signIn(username, password: password).location == "/account")
        #expect(await site.client().signIn(username, password: "' OR '1'='1").status.code == 401)
        #expect(await site.client().signIn("' OR '1'='1' --", password: "' OR '1'='1").status.code == 401)
        #expect(try await site.count("users") == 1)
    }

    @Test func accountPageEscapesMarkupTypedIntoTheEmail() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let response = await client.submit("/signup", signUpForm(username: "mallory", email: "<b>x</b>@example.com", password: TestSite.password),
                                           tokenFrom: "/signup")
        let account = await client.follow(response)
        #expect(account.status.code == 200)
        #expect(!account.text.contains("<b>x</b>"))
        #expect(account.text.contains("&lt;b&gt;x&lt;/b&gt;@example.com"))
    }

    @Test func concurrentSignUpsForOneUsernameCreateExactlyOneAccount() async throws {
        let site = try await TestSite.make()
        var prepared: [(TestClient, String)] = []
        for _ in 0..<10 {
            let client = site.client()
            prepared.append((client, await client.csrfToken(from: "/signup")))
        }
        let outcomes = await withTaskGroup(of: (Int, String).self) { group in
            for (index, (client, token)) in prepared.enumerated() {
                group.addTask {
                    let response = await client.post("/signup", form: [("csrf_token", token)]
                        + self.signUpForm(username: index.isMultiple(of: 2) ? "racer" : "RACER", email: "racer\(index)@example.com",
                                          password: TestSite.password))
                    return (response.status.code, response.text)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0.0 == 303 }.count == 1)
        let refused = outcomes.filter { $0.0 == 422 }
        #expect(refused.count == 9)
        #expect(refused.allSatisfy { $0.1.contains("That username is taken.") })
        #expect(try await site.count("users") == 1)
        #expect(try await site.auditCount("signup") == 1)
    }

    @Test func concurrentSignUpsForOneEmailCreateExactlyOneAccount() async throws {
        let site = try await TestSite.make()
        var prepared: [(TestClient, String)] = []
        for _ in 0..<10 {
            let client = site.client()
            prepared.append((client, await client.csrfToken(from: "/signup")))
        }
        let outcomes = await withTaskGroup(of: (Int, String).self) { group in
            for (index, (client, token)) in prepared.enumerated() {
                group.addTask {
                    let response = await client.post("/signup", form: [("csrf_token", token)]
                        + self.signUpForm(username: "racer\(index)", email: "Shared@example.com", password: TestSite.password))
                    return (response.status.code, response.text)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        // The losers are told nothing more than the winner: all wait for "their" code.
        #expect(outcomes.filter { $0.0 == 303 }.count == 10)
        #expect(try await site.count("users") == 1)
        #expect(try await site.auditCount("signup") == 1)
    }

    @Test func signedInVisitorIsSentFromTheSignUpFormToTheAccountPage() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        await client.signUp("alice")
        let response = await client.get("/signup")
        #expect(response.status.code == 303)
        #expect(response.location == "/account")
    }
}
