import Testing
import Web
import WebTesting
@testable import Provider

/// Malformed requests and client authentication at `/oauth/token` (RFC 6749 §2.3, §3.2, §5.2).
@Suite struct TokenRequestErrorTests {
    func setUp() async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.authorizationCode, .refreshToken, .clientCredentials],
                                                       scopes: "openid profile email api")
        return (provider, provider.browser(), client)
    }

    @Test func wrongSecretOverBasicIs401WithWWWAuthenticate() async throws {
        let (_, http, client) = try await setUp()
        let wrong = TestOAuthClient(id: client.id, secret: "not-the-secret", redirectURI: client.redirectURI)
        let reply = await http.token([("grant_type", "client_credentials")], headers: wrong.basic)
        #expect(reply.status == .unauthorized)
        #expect(reply.oauthError == "invalid_client")
        #expect(reply.headers["WWW-Authenticate"]?.hasPrefix("Basic realm=") == true)
        #expect(reply.headers["Cache-Control"] == "no-store")
    }

    @Test func wrongSecretInTheBodyIsInvalidClient() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", "nope")])
        #expect(reply.status == .unauthorized)
        #expect(reply.oauthError == "invalid_client")
        #expect(reply.headers["WWW-Authenticate"] == nil)
    }

    @Test func unknownClientIsInvalidClient() async throws {
        let (_, http, client) = try await setUp()
        let stranger = TestOAuthClient(id: "unknown-client", secret: client.secret, redirectURI: client.redirectURI)
        let reply = await http.token([("grant_type", "client_credentials")], headers: stranger.basic)
        #expect(reply.status == .unauthorized)
        #expect(reply.oauthError == "invalid_client")
    }

    @Test func missingClientAuthenticationIsInvalidClient() async throws {
        let (_, http, client) = try await setUp()
        #expect(await http.token([("grant_type", "client_credentials")]).oauthError == "invalid_client")
        let noSecret = await http.token([("grant_type", "client_credentials"), ("client_id", client.id)])
        #expect(noSecret.status == .unauthorized)
        #expect(noSecret.oauthError == "invalid_client")
    }

    @Test func basicAndBodyCredentialsTogetherAreInvalidRequest() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.secret!)],
                                     headers: client.basic)
        #expect(reply.status == .badRequest)
        #expect(reply.oauthError == "invalid_request")
    }

    @Test func missingGrantTypeIsInvalidRequest() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("scope", "api")], headers: client.basic)
        #expect(reply.status == .badRequest)
        #expect(reply.oauthError == "invalid_request")
    }

    @Test func unknownGrantTypeIsUnsupported() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")], headers: client.basic)
        #expect(reply.oauthError == "unsupported_grant_type")
    }

    @Test func grantTheClientWasNotGivenIsUnauthorizedClient() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("grant_type", "password"), ("username", "a"), ("password", "b")], headers: client.basic)
        #expect(reply.oauthError == "unauthorized_client")
    }

    @Test func duplicatedParametersAreInvalidRequest() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("grant_type", "client_credentials"), ("grant_type", "client_credentials")], headers: client.basic)
        #expect(reply.status == .badRequest)
        #expect(reply.oauthError == "invalid_request")
    }

    @Test func wrongContentTypeIsInvalidRequest() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.postJSON("/oauth/token", json: #"{"grant_type":"client_credentials"}"#, headers: client.basic)
        #expect(reply.status == .badRequest)
        #expect(reply.oauthError == "invalid_request")
        let bare = await http.send(.post, "/oauth/token", headers: client.basic, body: Array("grant_type=client_credentials".utf8))
        #expect(bare.oauthError == "invalid_request")
    }

    @Test func missingCodeIsInvalidRequest() async throws {
        let (_, http, client) = try await setUp()
        let reply = await http.token([("grant_type", "authorization_code"), ("redirect_uri", client.redirectURI)], headers: client.basic)
        #expect(reply.oauthError == "invalid_request")
        let empty = await http.token([("grant_type", "authorization_code"), ("code", "")], headers: client.basic)
        #expect(empty.oauthError == "invalid_request", "an empty parameter counts as missing")
    }

    @Test func getIsNotAllowed() async throws {
        let (_, http, _) = try await setUp()
        #expect(await http.get("/oauth/token").status == .methodNotAllowed)
    }
}
