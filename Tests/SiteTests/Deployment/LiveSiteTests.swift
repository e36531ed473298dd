import Foundation
import Site
import Testing
import Web
import WebTesting

/// The site over real sockets: the same application `latchkey serve` runs, on 127.0.0.1.
@Suite struct LiveSiteTests {
    private func withLiveSite(_ environment: [String: String] = [:],
                              _ body: (TestSite, LiveServer) async throws -> Void) async throws {
        let site = try await TestSite.make(environment)
        let server = try LiveServer.start(site.application)
        do {
            try await body(site, server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func signInPageOverARawSocketHasHeadersAndASafeCookie() async throws {
        try await withLiveSite { _, server in
            let connection = try server.connect()
            try connection.send("GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let response = try #require(connection.readResponse())
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"]?.hasPrefix("text/html") == true)
            #expect(response.headers["X-Frame-Options"] == "DENY")
            #expect(response.headers["Content-Security-Policy"]?.contains("unsafe-inline") == false)
            #expect(!response.headers.values(for: "Set-Cookie").contains { $0.hasPrefix("latchkey_session=") }, "no session for a stranger")
            let cookie = try #require(response.headers.values(for: "Set-Cookie").first { $0.hasPrefix("latchkey_session_csrf=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(response.text.contains("name=\"csrf_token\""))
        }
    }

    @Test func notFoundOverARawSocketIsTheTemplatedPage() async throws {
        try await withLiveSite { _, server in
            let connection = try server.connect()
            try connection.send("GET /missing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let response = try #require(connection.readResponse())
            #expect(response.status == 404)
            #expect(response.headers["Referrer-Policy"] == "same-origin")
            #expect(response.text.contains("Back to the home page"))
            // The connection stays usable after an error page.
            try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(connection.readResponse()?.status == 200)
        }
    }

    @Test func fullAccountLifecycleOverHTTP() async throws {
        try await withLiveSite { site, server in
            let browser = CurlBrowser(baseURL: server.baseURL)
            let signUp = try await browser.submit("/signup", [("username", "alice"), ("email", "alice@example.com"),
                                                              ("password", TestSite.password), ("password_confirmation", TestSite.password)],
                                                  tokenFrom: "/signup")
            #expect(signUp.status == 303)
            #expect(signUp.headers["Location"] == "/signup/verify")
            let code = try await site.mailedCode(to: "alice@example.com")
            let verified = try await browser.submit("/signup/verify", [("code", code)], tokenFrom: "/signup/verify")
            #expect(verified.headers["Location"] == "/account")
            let account = try await browser.get("/account")
            #expect(account.status == 200)
            #expect(account.text.contains("Welcome to Latchkey, alice!"))

            let signOut = try await browser.submit("/logout", [], tokenFrom: "/account")
            #expect(signOut.status == 303)
            #expect(browser.cookies["latchkey_session"] == nil)
            #expect(try await browser.get("/account").headers["Location"] == "/login?next=%2Faccount")

            let signIn = try await browser.submit("/login", [("username", "alice"), ("password", TestSite.password), ("next", "/admin")],
                                                  tokenFrom: "/login")
            #expect(signIn.status == 303)
            #expect(signIn.headers["Location"] == "/admin")
            #expect(try await browser.get("/admin").status == 403)
            #expect(try await site.count("users") == 1)
        }
    }

    @Test func forgedPostOverHTTPIsRefused() async throws {
        try await withLiveSite { site, server in
            try await site.createUser("alice")
            let browser = CurlBrowser(baseURL: server.baseURL)
            let response = try await browser.post("/login", form: [("username", "alice"), ("password", TestSite.password)])
            #expect(response.status == 403)
            #expect(response.text.contains("CSRF"))
        }
    }

    @Test func rateLimitOverHTTPIgnoresSpoofedForwardedFor() async throws {
        try await withLiveSite(["LOGIN_MAX_FAILURES": "2", "LOGIN_MAX_FAILURES_PER_IP": "2"]) { site, server in
            try await site.createUser("alice")
            for i in 1...2 {
                let browser = CurlBrowser(baseURL: server.baseURL)
                let page = try await browser.get("/login")
                let token = TestClient.hiddenField("csrf_token", in: page.text) ?? ""
                let response = try await browser.post("/login", form: [("csrf_token", token), ("username", "user\(i)"), ("password", "wrong password")],
                                                       headers: ["X-Forwarded-For": "198.51.100.\(i)"])
                #expect(response.status == 401)
            }
            let browser = CurlBrowser(baseURL: server.baseURL)
            let page = try await browser.get("/login")
            let token = TestClient.hiddenField("csrf_token", in: page.text) ?? ""
            let response = try await browser.post("/login", form: [("csrf_token", token), ("username", "alice"), ("password", TestSite.password)],
                                                   headers: ["X-Forwarded-For": "198.51.100.77"])
            #expect(response.status == 429)
            #expect(response.headers["Retry-After"].flatMap { Int($0) } != nil)
        }
    }
}
