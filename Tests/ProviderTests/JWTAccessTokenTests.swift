import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// JWT access tokens (RFC 9068) per client, audience-restricted by resource indicators
/// (RFC 8707), still revocable and introspectable; protected-resource metadata (RFC 9728).
@Suite struct JWTAccessTokenTests {
    static let api = "https://api.example.test"

    func setUp(format: AccessTokenFormat = .jwt) async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make(["PROVIDER_RESOURCES": "\(Self.api), urn:example:reports"])
        try await provider.createUser("alice", name: "Alice")
        let client = try await provider.registerClient(grants: [.authorizationCode, .refreshToken, .password, .clientCredentials],
                                                       scopes: "openid profile email api", skipConsent: true, accessTokenFormat: format)
        return (provider, provider.browser(), client)
    }

    func passwordGrant(_ http: TestClient, _ client: TestOAuthClient, resources: [String] = []) async -> TestResponse {
        await http.token([("grant_type", "password"), ("username", "alice"), ("password", TestProvider.password),
                          ("scope", "openid profile")] + resources.map { ("resource", $0) }, headers: client.basic)
    }

    /// The token checked as a resource server would: signature against the published JWKS,
    /// `typ`, and the RFC 9068 claims.
    func verified(_ token: String, http: TestClient) async throws -> (header: Claims, claims: Claims) {
        let jwks = try await http.get("/.well-known/jwks.json").json(JWKSet.self)
        let jwt = try JWT.parse(token)
        try jwt.verifySignature(using: jwks)
        return (jwt.header, jwt.claims)
    }

    @Test func aJWTClientGetsASignedAtJWTThatValidatesWithTheJWKS() async throws {
        let (provider, http, client) = try await setUp()
        let alice = try #require(try await provider.query("SELECT id FROM users WHERE username = 'alice'").first?.int64("id"))
        let reply = await passwordGrant(http, client)
        #expect(reply.status == .ok)
        #expect(reply.fields["token_type"] as? String == "Bearer")
        let token = try #require(reply.fields["access_token"] as? String)
        let (header, claims) = try await verified(token, http: http)
        #expect(header.string("typ") == "at+jwt")
        #expect(header.string("alg") == "RS256")
        #expect(header.string("kid") == provider.services.signingKeys.activeKeyID)
        #expect(claims.string("iss") == TestProvider.issuer)
        #expect(claims.string("sub") == String(alice))
        #expect(claims.audience == [TestProvider.issuer], "without a resource, the provider's own endpoints")
        #expect(claims.int("iat") == provider.clock.now)
        #expect(claims.int("exp") == provider.clock.now + 3600)
        #expect((claims.string("jti")?.count ?? 0) >= 32)
        #expect(claims.string("client_id") == client.id)
        #expect(claims.string("scope") == "openid profile")
        #expect(claims.int("auth_time") == provider.clock.now)
        #expect(claims.string("acr") == "1")
        #expect(claims["amr"] == .array(["pwd"]))

        // It works where opaque tokens do, and only its jti's hash is stored.
        #expect(await http.get("/api/profile", headers: ["Authorization": "Bearer \(token)"]).status == .ok)
        #expect(await http.get("/oauth/userinfo", headers: ["Authorization": "Bearer \(token)"]).fields["sub"] as? String == claims.string("sub"))
        let stored = try await provider.query("SELECT token_hash FROM access_tokens")
        #expect(stored.count == 1)
        #expect(try stored[0].string("token_hash") == TokenHash.of(try #require(claims.string("jti"))))
    }

    @Test func opaqueTokensStayTheDefault() async throws {
        let (_, http, client) = try await setUp(format: .opaque)
        let token = try #require(await passwordGrant(http, client).fields["access_token"] as? String)
        #expect(!token.contains("."))
        #expect(token.count == 12 + 43)  // the time, then 256 random bits
    }

    @Test func theAudienceFollowsTheResourceParameter() async throws {
        let (_, http, client) = try await setUp()
        let apiToken = try #require(await passwordGrant(http, client, resources: [Self.api]).fields["access_token"] as? String)
        #expect(try await verified(apiToken, http: http).claims.audience == [Self.api])
        // A token for another resource is not one for our own endpoints.
        let refused = await http.get("/api/profile", headers: ["Authorization": "Bearer \(apiToken)"])
        #expect(refused.status == .unauthorized)
        #expect(refused.headers["WWW-Authenticate"]?.contains("error=\"invalid_token\"") == true)

        let both = try #require(await passwordGrant(http, client, resources: [Self.api, TestProvider.issuer]).fields["access_token"] as? String)
        #expect(try await verified(both, http: http).claims.audience == [Self.api, TestProvider.issuer])
        #expect(await http.get("/api/profile", headers: ["Authorization": "Bearer \(both)"]).status == .ok)

        let service = await http.token([("grant_type", "client_credentials"), ("scope", "api"), ("resource", "urn:example:reports")],
                                       headers: client.basic)
        let serviceClaims = try await verified(try #require(service.fields["access_token"] as? String), http: http).claims
        #expect(serviceClaims.audience == ["urn:example:reports"])
        #expect(serviceClaims.string("sub") == client.id, "a token acting for no user names the client")
        #expect(serviceClaims["auth_time"] == nil)
    }

    @Test func anUnknownResourceIsInvalidTarget() async throws {
        let (_, http, client) = try await setUp()
        for resource in ["https://evil.example", "https://api.example.test/other", "not a uri", "https://api.example.test#frag"] {
            let reply = await passwordGrant(http, client, resources: [resource])
            #expect(reply.status == .badRequest, "\(resource)")
            #expect(reply.oauthError == "invalid_target", "\(resource)")
        }
    }

    @Test func theAuthorizationRequestNamesResourcesAndTheTokenRequestMayOnlyNarrowThem() async throws {
        let (_, browser, client) = try await setUp()
        await browser.signIn("alice")
        let pkce = PKCEPair()
        let unknown = try await browser.authorize(authorizeParameters(client, pkce: pkce, extra: [("resource", "https://evil.example")]))
        #expect(unknown.status == .found)
        #expect(queryParameters(unknown.location)["error"] == "invalid_target")
        #expect(queryParameters(unknown.location)["state"] == "xyz-state")

        func code() async throws -> String {
            try await browser.authorizationCode(authorizeParameters(client, pkce: pkce, extra: [("resource", Self.api), ("resource", TestProvider.issuer)]))
        }
        func exchange(_ code: String, _ resources: [String]) async -> TestResponse {
            await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                 ("code_verifier", pkce.verifier)] + resources.map { ("resource", $0) }, headers: client.basic)
        }
        let outside = await exchange(try await code(), ["urn:example:reports"])
        #expect(outside.status == .badRequest)
        #expect(outside.oauthError == "invalid_target")

        let narrowed = await exchange(try await code(), [Self.api])
        let token = try #require(narrowed.fields["access_token"] as? String)
        #expect(try await verified(token, http: browser).claims.audience == [Self.api])
        // The refresh token keeps the grant's resources: a refresh may ask for the other one.
        let refresh = try #require(narrowed.fields["refresh_token"] as? String)
        let refreshed = await browser.token([("grant_type", "refresh_token"), ("refresh_token", refresh), ("resource", TestProvider.issuer)],
                                            headers: client.basic)
        let again = try #require(refreshed.fields["access_token"] as? String)
        #expect(try await verified(again, http: browser).claims.audience == [TestProvider.issuer])
        let next = try #require(refreshed.fields["refresh_token"] as? String)
        let beyond = await browser.token([("grant_type", "refresh_token"), ("refresh_token", next), ("resource", "urn:example:reports")],
                                         headers: client.basic)
        #expect(beyond.oauthError == "invalid_target")

        // Without resource parameters, the exchange gives the grant's own audience.
        let whole = await exchange(try await code(), [])
        let wholeToken = try #require(whole.fields["access_token"] as? String)
        #expect(try await verified(wholeToken, http: browser).claims.audience == [Self.api, TestProvider.issuer])
    }

    @Test func aRevokedJWTAccessTokenIsRefusedByIntrospectionAndTheResourceEndpoints() async throws {
        let (provider, http, client) = try await setUp()
        let resourceServer = try await provider.registerClient(name: "API", grants: [], resourceServer: true)
        let token = try #require(await passwordGrant(http, client, resources: [Self.api, TestProvider.issuer]).fields["access_token"] as? String)
        let live = await http.post("/oauth/introspect", form: [("token", token)], headers: resourceServer.basic)
        #expect(live.fields["active"] as? Bool == true)
        #expect(live.fields["client_id"] as? String == client.id)
        #expect(live.fields["aud"] as? [String] == [Self.api, TestProvider.issuer])

        #expect(await http.post("/oauth/revoke", form: [("token", token)], headers: client.basic).status == .ok)
        #expect(await http.post("/oauth/introspect", form: [("token", token)], headers: resourceServer.basic).fields["active"] as? Bool == false)
        #expect(await http.get("/api/profile", headers: ["Authorization": "Bearer \(token)"]).status == .unauthorized)
        #expect(await http.get("/oauth/userinfo", headers: ["Authorization": "Bearer \(token)"]).status == .unauthorized)
        // Still a valid signature: only the stored row says it is dead.
        #expect(throws: Never.self) { try JWT.parse(token).verifySignature(using: provider.services.signingKeys.published) }
    }

    @Test func forgedOrMisTypedJWTsAreNotAccessTokens() async throws {
        let (provider, http, client) = try await setUp()
        let reply = await passwordGrant(http, client)
        let token = try #require(reply.fields["access_token"] as? String)
        let idToken = try #require(reply.fields["id_token"] as? String)
        let claims = try JWT.parse(token).claims
        // The same claims under another key, and an id_token (typ JWT) carrying the jti.
        let rogue = try RSAPrivateKey.generate(bits: 2048)
        let forged = try JWT.sign(claims: JSONValue.object(claims.values), key: rogue, kid: provider.services.signingKeys.activeKeyID, typ: "at+jwt")
        let mistyped = try JWT.sign(claims: JSONValue.object(claims.values), key: provider.services.signingKeys.active,
                                    kid: provider.services.signingKeys.activeKeyID, typ: "JWT")
        let parts = token.split(separator: ".")
        let tampered = parts[0] + "." + parts[1] + "." + String(parts[2].reversed())
        for bad in [forged, mistyped, idToken, String(tampered), "a.b.c", token + "x", String(repeating: "a.", count: 5000)] {
            let answer = await http.get("/api/profile", headers: ["Authorization": "Bearer \(bad)"])
            #expect(answer.status == .unauthorized)
            #expect(answer.headers["WWW-Authenticate"]?.contains("invalid_token") == true)
        }
        #expect(await http.get("/api/profile", headers: ["Authorization": "Bearer \(token)"]).status == .ok)
    }

    @Test func protectedResourceMetadataDescribesOurEndpointsAndEvery401NamesIt() async throws {
        let (_, http, _) = try await setUp()
        let reply = await http.get("/.well-known/oauth-protected-resource")
        #expect(reply.status == .ok)
        let document = reply.fields
        #expect(document["resource"] as? String == TestProvider.issuer)
        #expect(document["authorization_servers"] as? [String] == [TestProvider.issuer])
        #expect(document["bearer_methods_supported"] as? [String] == ["header"])
        #expect(document["jwks_uri"] as? String == TestProvider.issuer + "/.well-known/jwks.json")

        let metadata = "resource_metadata=\"\(TestProvider.issuer)/.well-known/oauth-protected-resource\""
        for headers: HTTPHeaders in [[:], ["Authorization": "Bearer nope"]] {
            for path in ["/api/profile", "/oauth/userinfo"] {
                let refused = await http.get(path, headers: headers)
                #expect(refused.status == .unauthorized)
                #expect(refused.headers["WWW-Authenticate"]?.contains(metadata) == true, "\(path)")
            }
        }
        let discovery = await http.get("/.well-known/openid-configuration").fields
        #expect(discovery["protected_resources"] as? [String] == [TestProvider.issuer, Self.api, "urn:example:reports"])
    }

    @Test func resourceServersAreConfiguredAsAbsoluteURIs() async throws {
        for bad in ["api.example.test", "https://api.example.test#x", "relative/path"] {
            #expect(throws: (any Error).self, "\(bad)") {
                try ProviderConfiguration(environment: TestProvider.environment(directory: "/tmp", ["PROVIDER_RESOURCES": bad]))
            }
        }
    }

    @Test func theCLIAndAdminFormChooseJWTAccessTokens() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("root", admin: true)
        let admin = provider.browser()
        await admin.signIn("root")
        let token = await admin.csrfToken(from: "/admin/clients")
        let created = await admin.post("/admin/clients", form: [("csrf_token", token), ("name", "JWT app"),
                                                                ("redirect_uris", "https://jwt.example/cb"), ("grant_types", "authorization_code"),
                                                                ("scopes", "openid"), ("confidential", "on"), ("jwt_access_tokens", "on")])
        #expect(created.status == .created)
        let clients = try await provider.services.clients.all()
        #expect(clients.first { $0.name == "JWT app" }?.accessTokenFormat == .jwt)
        #expect(await admin.get("/admin/clients").text.contains("(JWT access tokens)"))
    }
}
