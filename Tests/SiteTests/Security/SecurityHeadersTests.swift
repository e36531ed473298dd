import Testing
import Web
import WebTesting

/// Every HTML page carries the security headers, error pages included.
@Suite struct SecurityHeadersTests {
    private func expectSecurityHeaders(_ response: TestResponse, _ label: String) {
        #expect(response.isHTML, "\(label) is HTML")
        let policy = response.headers["Content-Security-Policy"] ?? ""
        #expect(policy.contains("script-src 'self'"), "\(label) CSP")
        #expect(policy.contains("default-src 'self'"), "\(label) CSP")
        #expect(policy.contains("frame-ancestors 'none'"), "\(label) CSP")
        #expect(!policy.contains("unsafe-inline"), "\(label) CSP")
        #expect(!policy.contains("unsafe-eval"), "\(label) CSP")
        #expect(response.headers["X-Frame-Options"] == "DENY", "\(label)")
        #expect(response.headers["Referrer-Policy"] == "same-origin", "\(label)")
        #expect(response.headers["X-Content-Type-Options"] == "nosniff", "\(label)")
    }

    @Test(arguments: ["/", "/login", "/signup", "/login?next=%2Fok"])
    func anonymousPagesCarryTheHeaders(path: String) async throws {
        let site = try await TestSite.make()
        let response = await site.client().get(path)
        #expect(response.status.code == 200)
        expectSecurityHeaders(response, path)
    }

    @Test func signedInPagesAndFormErrorsCarryTheHeaders() async throws {
        let site = try await TestSite.make(["BASE_URL": "https://latchkey.example.com"])
        try await site.createUser("root", admin: true)
        let client = site.client()
        expectSecurityHeaders(await client.signIn("root", password: "wrong password"), "401 sign-in")
        await client.signIn("root")
        expectSecurityHeaders(await client.get("/account"), "/account")
        expectSecurityHeaders(await client.get("/admin"), "/admin")
        expectSecurityHeaders(await client.changePassword(current: "wrong", new: "x"), "422 password")
        #expect(await client.get("/account").headers["Strict-Transport-Security"]?.hasPrefix("max-age=") == true)
    }

    @Test func notFoundPageIsRenderedFromTheTemplateWithTheHeaders() async throws {
        let site = try await TestSite.make()
        let response = await site.client().get("/no/such/page")
        #expect(response.status.code == 404)
        expectSecurityHeaders(response, "404")
        #expect(response.text.hasPrefix("<!doctype html>"))
        #expect(response.text.contains("404"))
        #expect(response.text.contains("Back to the home page"))
        #expect(response.text.contains("href=\"/login\""))
    }

    @Test func forbiddenPagesCarryTheHeaders() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        let admin = await client.get("/admin")
        #expect(admin.status.code == 403)
        expectSecurityHeaders(admin, "403 admin")
        #expect(admin.text.contains("Signed in as <strong>alice</strong>"))
        let csrf = await client.post("/logout", form: [])
        #expect(csrf.status.code == 403)
        expectSecurityHeaders(csrf, "403 csrf")
    }

    @Test func nonHTMLResponsesStillForbidSniffing() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let stylesheet = await client.get("/css/site.css")
        #expect(stylesheet.status.code == 200)
        #expect(stylesheet.headers["X-Content-Type-Options"] == "nosniff")
        let health = await client.get("/healthz")
        #expect(health.headers["X-Content-Type-Options"] == "nosniff")
        let redirect = await client.get("/account")
        #expect(redirect.headers["X-Content-Type-Options"] == "nosniff")
    }

    @Test func noHSTSWithoutHTTPS() async throws {
        let site = try await TestSite.make()
        #expect(await site.client().get("/").headers["Strict-Transport-Security"] == nil)
    }
}

/// Issue 13: pages meant for one visitor (signed in, or a form with its CSRF token) say
/// `Cache-Control: no-store`; shared resources keep their caching.
@Suite struct NoStoreTests {
    @Test func signedInPagesAndFormsAreNotStoredButStaticFilesAre() async throws {
        let site = try await TestSite.make()
        let anonymous = site.client()
        #expect(await anonymous.get("/login").headers["Cache-Control"] == "no-store", "a form with a CSRF token")
        #expect(await anonymous.get("/signup").headers["Cache-Control"] == "no-store")
        #expect(await anonymous.get("/css/site.css").headers["Cache-Control"]?.contains("public") == true)
        #expect(await anonymous.get("/healthz").headers["Cache-Control"] == "no-store")

        let client = site.client()
        await client.signUp("ada")
        for path in ["/account", "/", "/no-such-page"] {
            #expect(await client.get(path).headers["Cache-Control"] == "no-store", "\(path) signed in")
        }
    }
}
