import Testing
import Web
import WebTesting
@testable import Provider

/// `/oauth/revoke` (RFC 7009).
@Suite struct RevocationTests {
    func setUp() async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password, .refreshToken])
        return (provider, provider.browser(), client)
    }

    func bearer(_ token: String) -> HTTPHeaders { ["Authorization": "Bearer \(token)"] }

    @Test func revokedAccessTokenNoLongerReadsTheProfile() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client)
        #expect(await http.get("/api/profile", headers: bearer(tokens.access)).status == .ok)
        let reply = await http.token([("token", tokens.access)], headers: client.basic, path: "/oauth/revoke")
        #expect(reply.status == .ok)
        #expect(reply.headers["Cache-Control"] == "no-store")
        let after = await http.get("/api/profile", headers: bearer(tokens.access))
        #expect(after.status == .unauthorized)
        #expect(after.headers["WWW-Authenticate"]?.contains("error=\"invalid_token\"") == true)
    }

    @Test func unknownTokensAreAcceptedSilently() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("token", "never-issued"), ("token_type_hint", "access_token")], headers: client.basic, path: "/oauth/revoke")
        #expect(reply.status == .ok)
        let oddHint = await http.token([("token", "never-issued"), ("token_type_hint", "something_else")], headers: client.basic, path: "/oauth/revoke")
        #expect(oddHint.status == .ok)
    }

    @Test func revocationNeedsClientAuthentication() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client)
        let reply = await http.token([("token", tokens.access)], path: "/oauth/revoke")
        #expect(reply.status == .unauthorized)
        #expect(reply.oauthError == "invalid_client")
        #expect(await http.get("/api/profile", headers: bearer(tokens.access)).status == .ok)
        #expect(await http.token([], headers: client.basic, path: "/oauth/revoke").oauthError == "invalid_request")
    }

    @Test func anotherClientsTokenIsNotRevoked() async throws {
        let (provider, http, client) = try await setUp()
        let other = try await provider.registerClient(name: "Other", grants: [.password])
        let tokens = try await provider.userTokens(client)
        #expect(await http.token([("token", tokens.access)], headers: other.basic, path: "/oauth/revoke").status == .ok)
        #expect(await http.get("/api/profile", headers: bearer(tokens.access)).status == .ok)
    }

    @Test func revokingARefreshTokenRevokesItsAccessTokens() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client)
        let refresh = try #require(tokens.refresh)
        #expect(await http.token([("token", refresh), ("token_type_hint", "refresh_token")], headers: client.basic, path: "/oauth/revoke").status == .ok)
        #expect(await http.get("/api/profile", headers: bearer(tokens.access)).status == .unauthorized)
        #expect(await http.token([("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: client.basic).oauthError == "invalid_grant")
    }

    @Test func aWrongHintStillFindsTheToken() async throws {
        let (provider, http, client) = try await setUp()
        let tokens = try await provider.userTokens(client)
        #expect(await http.token([("token", tokens.access), ("token_type_hint", "refresh_token")], headers: client.basic, path: "/oauth/revoke").status == .ok)
        #expect(await http.get("/api/profile", headers: bearer(tokens.access)).status == .unauthorized)
    }
}
