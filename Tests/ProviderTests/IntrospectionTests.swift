import Testing
import Web
import WebTesting
@testable import Provider

/// `/oauth/introspect` (RFC 7662).
@Suite struct IntrospectionTests {
    @Test func describesALiveAccessToken() async throws {
        let provider = try await TestProvider.make()
        let alice = try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password, .refreshToken])
        let resourceServer = try await provider.registerClient(name: "API", grants: [.clientCredentials], scopes: "api", resourceServer: true)
        let tokens = try await provider.userTokens(client, scope: "openid email")
        let reply = await provider.browser().token([("token", tokens.access)], headers: resourceServer.basic, path: "/oauth/introspect")
        #expect(reply.status == .ok)
        #expect(reply.headers["Cache-Control"] == "no-store")
        let fields = reply.fields
        #expect(fields["active"] as? Bool == true)
        #expect(fields["scope"] as? String == "email openid")
        #expect(fields["client_id"] as? String == client.id)
        #expect(fields["username"] as? String == "alice")
        #expect(fields["sub"] as? String == String(alice.id))
        #expect(fields["token_type"] as? String == "Bearer")
        #expect(fields["exp"] as? Int == provider.clock.now + 3600)
        #expect(fields["iat"] as? Int == provider.clock.now)
    }

    /// Issue 13: any confidential client could introspect every other client's tokens.
    @Test func aClientLearnsNothingOfAnotherClientsTokens() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password, .refreshToken])
        let other = try await provider.registerClient(name: "Other app", grants: [.clientCredentials], scopes: "api")
        let tokens = try await provider.userTokens(client)
        let browser = provider.browser()
        let foreign = await browser.token([("token", tokens.access)], headers: other.basic, path: "/oauth/introspect")
        #expect(foreign.status == .ok)
        #expect(foreign.text == #"{"active":false}"#, "the same answer as for an unknown token")
        let own = await browser.token([("token", tokens.access)], headers: client.basic, path: "/oauth/introspect")
        #expect(own.fields["active"] as? Bool == true)
    }

    @Test func describesARefreshTokenWhenHinted() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password, .refreshToken])
        let tokens = try await provider.userTokens(client)
        let reply = await provider.browser().token([("token", tokens.refresh!), ("token_type_hint", "refresh_token")], headers: client.basic,
                                                   path: "/oauth/introspect")
        #expect(reply.fields["active"] as? Bool == true)
        #expect(reply.fields["token_type"] as? String == "refresh_token")
    }

    @Test func unknownExpiredAndRevokedTokensAreInactive() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password, .refreshToken])
        let http = provider.browser()
        let unknown = await http.token([("token", "nonsense")], headers: client.basic, path: "/oauth/introspect")
        #expect(unknown.status == .ok)
        #expect(unknown.text == #"{"active":false}"#)

        let revoked = try await provider.userTokens(client)
        _ = await http.token([("token", revoked.access)], headers: client.basic, path: "/oauth/revoke")
        #expect(await http.token([("token", revoked.access)], headers: client.basic, path: "/oauth/introspect").text == #"{"active":false}"#)

        let expiring = try await provider.userTokens(client)
        provider.clock.advance(3600)
        #expect(await http.token([("token", expiring.access)], headers: client.basic, path: "/oauth/introspect").text == #"{"active":false}"#)
    }

    @Test func requiresAConfidentialClient() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password])
        let publicClient = try await provider.registerClient(name: "SPA", confidential: false)
        let tokens = try await provider.userTokens(client)
        let http = provider.browser()
        let anonymous = await http.token([("token", tokens.access)], path: "/oauth/introspect")
        #expect(anonymous.status == .unauthorized)
        #expect(anonymous.oauthError == "invalid_client")
        let bare = await http.token([("token", tokens.access), ("client_id", publicClient.id)], path: "/oauth/introspect")
        #expect(bare.status == .unauthorized)
        #expect(bare.oauthError == "invalid_client")
        #expect(bare.fields["active"] == nil)
    }
}
