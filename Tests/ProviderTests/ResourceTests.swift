import Testing
import Web
import WebTesting
@testable import Provider

/// Bearer-protected endpoints: `/api/profile`, `/oauth/userinfo`, and `/api/verify`.
@Suite struct ResourceTests {
    func setUp() async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice", name: "Alice")
        let client = try await provider.registerClient(grants: [.password, .clientCredentials], scopes: "openid profile email api")
        return (provider, provider.browser(), client)
    }

    func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

    @Test func noTokenIs401WithARealm() async throws {
        let (_, http, _) = try await setUp()
        let reply = await http.get("/api/profile")
        #expect(reply.status == .unauthorized)
        #expect(reply.headers["WWW-Authenticate"]
            == "Bearer realm=\"\(TestProvider.issuer)\", resource_metadata=\"\(TestProvider.issuer)/.well-known/oauth-protected-resource\"")
    }

    @Test func unknownTokenIs401InvalidToken() async throws {
        let (_, http, _) = try await setUp()
        for header in ["Bearer not-a-token", "Bearer", "Basic abc", "bearer    "] {
            let reply = await http.get("/api/profile", headers: ["Authorization": header])
            #expect(reply.status == .unauthorized, "\(header)")
            #expect(reply.headers["WWW-Authenticate"]?.hasPrefix("Bearer error=\"invalid_token\"") == true, "\(header)")
        }
    }

    @Test func expiredTokenIs401() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client)
        provider.clock.advance(3600)
        #expect(await http.get("/api/profile", headers: bearer(tokens.access)).status == .unauthorized)
    }

    @Test func clientCredentialsTokensActForNoUser() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("grant_type", "client_credentials"), ("scope", "api")], headers: client.basic)
        let token = try #require(reply.fields["access_token"] as? String)
        #expect(await http.get("/api/profile", headers: bearer(token)).status == .unauthorized)
        #expect(await http.post("/api/verify", form: [("token", token)], headers: client.basic).status == .forbidden)
    }

    @Test func userinfoReturnsClaimsAsTheScopesAllow() async throws {
        let (provider, http, client) = try await setUp()
        let full = try await provider.userTokens(client, scope: "openid profile email")
        let claims = await http.get("/oauth/userinfo", headers: bearer(full.access)).fields
        #expect(claims["preferred_username"] as? String == "alice")
        #expect(claims["name"] as? String == "Alice")
        #expect(claims["email"] as? String == "alice@example.com")
        #expect(claims["email_verified"] as? Bool == true)
        #expect(claims["sub"] is String)

        let narrow = try await provider.userTokens(client, scope: "openid")
        let fewer = await http.post("/oauth/userinfo", form: [], headers: bearer(narrow.access)).fields
        #expect(fewer["sub"] is String)
        #expect(fewer["email"] == nil)
        #expect(fewer["preferred_username"] == nil)
    }

    @Test func userinfoNeedsTheOpenIDScope() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client, scope: "profile")
        let reply = await http.get("/oauth/userinfo", headers: bearer(tokens.access))
        #expect(reply.status == .forbidden)
        #expect(reply.headers["WWW-Authenticate"]?.contains("insufficient_scope") == true)
    }

    @Test func verifyNamesTheTokensUserToTheClientItWasIssuedTo() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client)
        let reply = await http.post("/api/verify", form: [("token", tokens.access)], headers: client.basic)
        #expect(reply.status == .ok)
        #expect(reply.fields["user"] as? String == "alice")
        #expect(reply.fields["client_id"] as? String == client.id, "it says for whom the token was issued")
    }

    /// Issue 13: `/api/verify` needed no client authentication and answered for any client's token.
    @Test func verifyNeedsClientAuthenticationAndAnswersOnlyForThatClientsTokens() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client)
        let anonymous = await http.post("/api/verify", form: [("token", tokens.access)])
        #expect(anonymous.status == .unauthorized)
        #expect(anonymous.fields["error"] as? String == "invalid_client")
        let other = try await provider.registerClient(name: "Other app", grants: [.clientCredentials], scopes: "api")
        let foreign = await http.post("/api/verify", form: [("token", tokens.access)], headers: other.basic)
        #expect(foreign.status == .forbidden)
        #expect(foreign.text == #"{"error":"invalid_request"}"#)
        let api = try await provider.registerClient(name: "API", grants: [.clientCredentials], scopes: "api", resourceServer: true)
        #expect(await http.post("/api/verify", form: [("token", tokens.access)], headers: api.basic).status == .ok)
    }

    @Test func verifyRefusesAnythingElseWith403() async throws {
        let (_, http, client) = try await setUp()
        for reply in [await http.post("/api/verify", form: [("token", "bogus")], headers: client.basic),
                      await http.post("/api/verify", form: [], headers: client.basic)] {
            #expect(reply.status == .forbidden)
            #expect(reply.text == #"{"error":"invalid_request"}"#)
        }
        let json = await http.postJSON("/api/verify", json: #"{"token":"x"}"#, headers: client.basic)
        #expect(json.status == .badRequest, "not a form: a clear invalid_request")
        #expect(json.fields["error"] as? String == "invalid_request")
    }

    /// Issue 13: `/api/profile` returned email and email_verified to a token granted only `openid profile`.
    @Test func profileReleasesFieldsByScopeAsUserinfoDoes() async throws {
        let (provider, http, client) = try await setUp()
        let narrow = try await provider.userTokens(client, scope: "openid profile")
        let fields = await http.get("/api/profile", headers: bearer(narrow.access)).fields
        #expect(fields["id"] is Int)
        #expect(fields["username"] as? String == "alice")
        #expect(fields["email"] == nil)
        #expect(fields["email_verified"] == nil)
        let full = try await provider.userTokens(client, scope: "openid profile email")
        #expect(await http.get("/api/profile", headers: bearer(full.access)).fields["email"] as? String == "alice@example.com")
    }
}
