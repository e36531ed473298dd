import Testing
import Web
import WebTesting
@testable import Provider

/// A database outage is a temporary condition on every endpoint: 503 with `Retry-After`, in
/// each endpoint's own vocabulary (RFC 6749 JSON for programs, a page for people), never a 500.
@Suite struct DatabaseOutageTests {
    @Test func everyEndpointAnswers503WithRetryAfterWhileTheDatabaseIsDown() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.authorizationCode, .clientCredentials, .refreshToken])
        let signedIn = provider.browser()
        await signedIn.signIn("alice")
        provider.services.database.close()
        let browser = provider.browser()

        let programs: [(String, TestResponse)] = [
            ("token", await browser.token([("grant_type", "client_credentials")], headers: client.basic)),
            ("introspect", await browser.token([("token", "x")], headers: client.basic, path: "/oauth/introspect")),
            ("revoke", await browser.token([("token", "x")], headers: client.basic, path: "/oauth/revoke")),
            ("userinfo", await browser.get("/oauth/userinfo", headers: ["Authorization": "Bearer abc"])),
            ("profile", await browser.get("/api/profile", headers: ["Authorization": "Bearer abc"])),
        ]
        for (name, reply) in programs {
            #expect(reply.status.code == 503, "\(name): \(reply.text)")
            #expect(reply.headers["Retry-After"] != nil, "\(name)")
            #expect(reply.fields["error"] as? String == "temporarily_unavailable", "\(name): \(reply.text)")
        }
        // A stranger's sign-in form needs no database; submitting it does.
        #expect(await browser.get("/login").status.code == 200)
        let submitted = await browser.post("/login", form: [("csrf_token", await browser.csrfToken(from: "/login")), ("username", "alice"),
                                                            ("password", TestProvider.password)])
        #expect(submitted.status.code == 503)
        #expect(submitted.headers["Retry-After"] != nil)
        let pages = [(signedIn, "/"), (signedIn, "/admin/clients"), (signedIn, authorizePath(authorizeParameters(client)))]
        for (visitor, path) in pages {
            let page = await visitor.get(path)
            #expect(page.status.code == 503, "\(path)")
            #expect(page.headers["Retry-After"] != nil, "\(path)")
            #expect(page.text.contains("temporarily unavailable"), "\(path)")
        }
        #expect(await browser.get("/healthz").status.code == 200, "the health check needs no database")
    }
}
