import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// `/admin/clients`: provider administrators manage the registry.
@Suite struct AdminClientsTests {
    @Test func anonymousVisitorsAreSentToSignIn() async throws {
        let provider = try await TestProvider.make()
        let response = await provider.browser().get("/admin/clients")
        #expect(response.status == .seeOther)
        #expect(response.location == "/login?next=%2Fadmin%2Fclients")
    }

    @Test func nonAdminsAreForbidden() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = provider.browser()
        await browser.signIn("alice")
        #expect(await browser.get("/admin/clients").status == .forbidden)
        #expect(await browser.post("/admin/clients", form: [("csrf_token", await browser.csrfToken(from: "/")), ("name", "x")]).status == .forbidden)
    }

    @Test func adminsRegisterAClientAndSeeTheSecretOnce() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("root", admin: true)
        let browser = provider.browser()
        await browser.signIn("root")
        let token = await browser.csrfToken(from: "/admin/clients")
        let created = await browser.post("/admin/clients", form: [
            ("csrf_token", token), ("name", "Site"), ("redirect_uris", "http://127.0.0.1:8080/auth/sibling/callback\nhttp://localhost:8080/cb"),
            ("grant_types", "authorization_code"), ("grant_types", "refresh_token"), ("scopes", "openid profile email"),
            ("confidential", "on"),
        ])
        #expect(created.status == .created)
        #expect(created.headers["Cache-Control"] == "no-store")
        let row = try #require(try await provider.query("SELECT client_id, secret_hash, redirect_uris, grant_types FROM clients").first)
        let clientID = try row.string("client_id")
        #expect(try row.string("redirect_uris") == "http://127.0.0.1:8080/auth/sibling/callback http://localhost:8080/cb")
        #expect(try row.string("grant_types") == "authorization_code refresh_token")
        #expect(created.text.contains(clientID))
        let secretRange = try #require(created.text.range(of: "Client secret: <code>"))
        let secret = String(created.text[secretRange.upperBound...].prefix { $0 != "<" })
        #expect(secret.count == 43)
        #expect(try row.string("secret_hash") == Hex.encode(SHA256.hash(secret)))

        let list = await browser.get("/admin/clients")
        #expect(list.text.contains(clientID))
        #expect(!list.text.contains(secret))
    }

    @Test func invalidRegistrationsAreExplained() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("root", admin: true)
        let browser = provider.browser()
        await browser.signIn("root")
        let token = await browser.csrfToken(from: "/admin/clients")
        let refused = await browser.post("/admin/clients", form: [
            ("csrf_token", token), ("name", "Bad"), ("redirect_uris", "https://app.test/cb#fragment"),
            ("grant_types", "authorization_code"), ("scopes", "openid"),
        ])
        #expect(refused.status == .unprocessableContent)
        #expect(refused.text.contains("fragment"))
        #expect(try await provider.count("clients") == 0)
    }

    @Test func adminsDeleteClientsWithEverythingIssuedToThem() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("root", admin: true)
        let client = try await provider.registerClient(grants: [.password])
        let tokens = try await provider.userTokens(client, username: "root")
        let browser = provider.browser()
        await browser.signIn("root")
        let withoutToken = await browser.post("/admin/clients/\(client.id)/delete", form: [])
        #expect(withoutToken.status == .forbidden)
        #expect(try await provider.count("clients") == 1)

        let token = await browser.csrfToken(from: "/admin/clients")
        let asked = await browser.post("/admin/clients/\(client.id)/delete", form: [("csrf_token", token)])
        #expect(asked.status == .ok && asked.text.contains("Every access and refresh token issued to it stops working"), "asks first")
        #expect(try await provider.count("clients") == 1)
        let deleted = await browser.post("/admin/clients/\(client.id)/delete", form: [("csrf_token", token), ("confirm", "1")])
        #expect(deleted.status == .seeOther)
        #expect(try await provider.count("clients") == 0)
        #expect(try await provider.count("access_tokens") == 0)
        #expect(await browser.get("/api/profile", headers: ["Authorization": "Bearer \(tokens.access)"]).status == .unauthorized)
    }
}
