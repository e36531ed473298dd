import Testing
import Web
import WebTesting
@testable import Provider

/// The provider's own sign-up, sign-in and sign-out pages.
@Suite struct AccountPageTests {
    @Test func signUpCreatesAnAccountAndSignsIn() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        let token = await browser.csrfToken(from: "/signup")
        let response = await browser.post("/signup", form: [
            ("csrf_token", token), ("username", "carol"), ("email", "carol@example.com"), ("name", "Carol"),
            ("password", "a long enough password"), ("password_confirmation", "a long enough password"),
        ])
        #expect(response.status == .seeOther)
        #expect(browser.cookies[ProviderApplication.sessionCookie] != nil)
        #expect(browser.cookies["latchkey_session"] == nil)
        let home = await browser.get("/")
        #expect(home.text.contains("carol@example.com"))
        let row = try #require(try await provider.query("SELECT email_verified, is_admin, password_hash FROM users WHERE username = 'carol'").first)
        #expect(try row.bool("email_verified") == false)
        #expect(try row.bool("is_admin") == false)
        #expect(!(try row.string("password_hash")).contains("a long enough password"))
    }

    @Test func signUpRefusesBadInputFieldByField() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = provider.browser()
        let token = await browser.csrfToken(from: "/signup")
        let response = await browser.post("/signup", form: [
            ("csrf_token", token), ("username", "alice"), ("email", "not-an-email"),
            ("password", "short"), ("password_confirmation", "different"),
        ])
        #expect(response.status == .unprocessableContent)
        #expect(response.text.contains("That username is taken.") || response.text.contains("valid email"))
        #expect(try await provider.count("users") == 1)
    }

    @Test func signInWithAWrongPasswordIsRefused() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = provider.browser()
        let response = await browser.signIn("alice", password: "wrong password here")
        #expect(response.status == .unauthorized)
        #expect(response.text.contains("Invalid username or password."))
    }

    @Test func repeatedFailuresAreThrottled() async throws {
        let provider = try await TestProvider.make(["LOGIN_MAX_FAILURES": "2"])
        try await provider.createUser("alice")
        let browser = provider.browser()
        _ = await browser.signIn("alice", password: "wrong password 1")
        _ = await browser.signIn("alice", password: "wrong password 2")
        let blocked = await browser.signIn("alice")
        #expect(blocked.status == .tooManyRequests)
        #expect(blocked.headers["Retry-After"] != nil)
    }

    @Test func signInRotatesTheSessionAndSignOutEndsIt() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = provider.browser()
        _ = await browser.get("/login")
        let before = browser.cookies[ProviderApplication.sessionCookie]
        #expect(await browser.signIn("alice").status == .seeOther)
        let after = browser.cookies[ProviderApplication.sessionCookie]
        #expect(after != nil && after != before)
        let token = await browser.csrfToken(from: "/")
        #expect(await browser.post("/logout", form: [("csrf_token", token)]).status == .seeOther)
        #expect(browser.cookies[ProviderApplication.sessionCookie] == nil)
        #expect(try await provider.query("SELECT 1 FROM sessions WHERE user_id IS NOT NULL").isEmpty)
    }

    @Test func signInFormsNeedTheCSRFToken() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let response = await provider.browser().post("/login", form: [("username", "alice"), ("password", TestProvider.password)])
        #expect(response.status == .forbidden)
    }

    @Test func pagesCarryTheSecurityHeaders() async throws {
        let provider = try await TestProvider.make()
        let page = await provider.browser().get("/login")
        #expect(page.status == .ok)
        #expect(page.headers["Content-Security-Policy"] != nil)
        #expect(page.headers["X-Frame-Options"] == "DENY")
    }
}

extension AccountPageTests {
    /// Issue 13: the provider's sign-up form is limited per address too (`SIGNUP_RATE_LIMIT`).
    @Test func signUpIsLimitedPerAddress() async throws {
        let provider = try await TestProvider.make(["SIGNUP_RATE_LIMIT": "2"])
        var statuses: [Int] = []
        for name in ["carol", "dave", "erin"] {
            let browser = provider.browser()
            let token = await browser.csrfToken(from: "/signup")
            let response = await browser.post("/signup", form: [
                ("csrf_token", token), ("username", name), ("email", "\(name)@example.com"),
                ("password", "a long enough password"), ("password_confirmation", "a long enough password"),
            ])
            statuses.append(response.status.code)
        }
        #expect(statuses == [303, 303, 429])
        #expect(try await provider.count("users") == 2)
    }
}
