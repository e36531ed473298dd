import Foundation
import Testing
import Web
import WebTesting
@testable import Provider

/// Dynamic client registration (RFC 7591) and management (RFC 7592); issue 15, point 5.
@Suite struct ClientRegistrationTests {
    static let web = #"{"client_name": "Dyn App", "redirect_uris": ["https://dyn.test/cb"], "scope": "openid profile"}"#

    func make(_ mode: String) async throws -> (TestProvider, TestClient) {
        let provider = try await TestProvider.make(["PROVIDER_REGISTRATION": mode])
        return (provider, provider.browser())
    }

    func register(_ http: TestClient, _ json: String, token: String? = nil) async -> TestResponse {
        var headers = HTTPHeaders()
        if let token { headers.set("Authorization", "Bearer \(token)") }
        return await http.postJSON("/oauth/register", json: json, headers: headers)
    }

    func send(_ http: TestClient, _ method: HTTPMethod, _ uri: String, token: String, json: String? = nil) async -> TestResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if json != nil { headers.set("Content-Type", "application/json") }
        let path = String(uri.dropFirst(TestProvider.issuer.count))
        return await http.send(method, path, headers: headers, body: Array((json ?? "").utf8))
    }

    @Test func offByDefaultAndNotAdvertised() async throws {
        let provider = try await TestProvider.make()
        let http = provider.browser()
        #expect(await register(http, Self.web).status == .notFound)
        #expect(await http.get("/oauth/register/abc").status == .notFound)
        #expect(await http.get("/.well-known/openid-configuration").fields["registration_endpoint"] == nil)
        #expect(try await provider.count("clients") == 0)
    }

    @Test func openRegistrationIssuesCredentialsAndTheClientSignsIn() async throws {
        let (provider, http) = try await make("open")
        #expect(await http.get("/.well-known/openid-configuration").fields["registration_endpoint"] as? String
                == TestProvider.issuer + "/oauth/register")
        let reply = await register(http, Self.web)
        #expect(reply.status == .created)
        #expect(reply.headers["Cache-Control"] == "no-store")
        let fields = reply.fields
        let clientID = try #require(fields["client_id"] as? String)
        let secret = try #require(fields["client_secret"] as? String)
        let token = try #require(fields["registration_access_token"] as? String)
        #expect(fields["registration_client_uri"] as? String == TestProvider.issuer + "/oauth/register/" + clientID)
        #expect(fields["client_secret_expires_at"] as? Int == 0)
        #expect(fields["token_endpoint_auth_method"] as? String == "client_secret_basic")
        #expect(fields["grant_types"] as? [String] == ["authorization_code", "refresh_token"])
        #expect(try await provider.query("SELECT 1 FROM clients WHERE registration_token_hash = ?", TokenHash.of(token)).count == 1)
        let dump = try await provider.query("SELECT * FROM clients").map { "\($0)" }.joined()
        #expect(!dump.contains(token) && !dump.contains(secret))

        // A registered client requires PKCE and its users' consent.
        let client = try #require(try await provider.services.clients.find(clientID))
        #expect(client.mustUsePKCE && !client.skipsConsent && !client.isResourceServer && !client.allows(.password))
        try await provider.createUser("alice")
        let browser = provider.browser()
        await browser.signIn("alice")
        let oauth = TestOAuthClient(id: clientID, secret: secret, redirectURI: "https://dyn.test/cb")
        let pkce = PKCEPair()
        let code = try await browser.authorizationCode(authorizeParameters(oauth, scope: "openid", pkce: pkce))
        let tokens = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", oauth.redirectURI),
                                          ("code_verifier", pkce.verifier)], headers: oauth.basic)
        #expect(tokens.status == .ok)
    }

    @Test func aPublicClientGetsNoSecret() async throws {
        let (_, http) = try await make("open")
        let reply = await register(http, #"{"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}"#)
        #expect(reply.status == .created)
        #expect(reply.fields["client_secret"] == nil)
        #expect(reply.fields["client_name"] as? String == "Unnamed application")
    }

    @Test func hostileRedirectURIsAreInvalidRedirectURI() async throws {
        let (provider, http) = try await make("open")
        for uri in ["javascript:alert(1)", "data:text/html,<script>x</script>", "https://dyn.test/cb#frag", "http://dyn.test/cb",
                    "http://127.0.0.1.evil.test/cb", "/relative", "https://dyn.test/a b", String(repeating: "a", count: 3000)] {
            let json = #"{"redirect_uris": ["\#(uri)"]}"#
            let reply = await register(http, json)
            #expect(reply.status == .badRequest, "\(uri.prefix(40))")
            #expect(reply.oauthError == "invalid_redirect_uri", "\(uri.prefix(40))")
        }
        #expect(await register(http, #"{"client_name": "No URIs"}"#).oauthError == "invalid_redirect_uri")
        #expect(try await provider.count("clients") == 0)
    }

    @Test func badMetadataIsInvalidClientMetadata() async throws {
        let (provider, http) = try await make("open")
        let bad = [
            #"not json"#, #"[1, 2]"#, #"{"redirect_uris": "https://dyn.test/cb"}"#, #"{"redirect_uris": [1]}"#,
            #"{"redirect_uris": ["https://dyn.test/cb"], "grant_types": ["password"]}"#,
            #"{"redirect_uris": ["https://dyn.test/cb"], "grant_types": ["implicit"]}"#,
            #"{"redirect_uris": ["https://dyn.test/cb"], "response_types": ["token"]}"#,
            #"{"redirect_uris": ["https://dyn.test/cb"], "token_endpoint_auth_method": "private_key_jwt"}"#,
            #"{"redirect_uris": ["https://dyn.test/cb"], "scope": ""}"#,
            #"{"redirect_uris": ["https://dyn.test/cb"], "client_name": 5}"#,
            #"{"redirect_uris": ["https://dyn.test/cb"], "client_name": "\#(String(repeating: "n", count: 200))"}"#,
            #"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}"#,
        ]
        for json in bad {
            let reply = await register(http, json)
            #expect(reply.status == .badRequest, "\(json.prefix(60))")
            #expect(reply.oauthError == "invalid_client_metadata", "\(json.prefix(60))")
        }
        let form = await http.post("/oauth/register", form: [("redirect_uris", "https://dyn.test/cb")])
        #expect(form.oauthError == "invalid_client_metadata")
        #expect(try await provider.count("clients") == 0)
    }

    @Test func anOversizedDocumentIsRefused() async throws {
        let (provider, http) = try await make("open")
        let padding = String(repeating: "x", count: 20_000)
        let reply = await register(http, #"{"redirect_uris": ["https://dyn.test/cb"], "extra": "\#(padding)"}"#)
        #expect([400, 413].contains(reply.status.code))
        #expect(try await provider.count("clients") == 0)
    }

    @Test func unknownFieldsAreIgnoredAndNotEchoed() async throws {
        let (_, http) = try await make("open")
        let reply = await register(http, #"{"redirect_uris": ["https://dyn.test/cb"], "logo_uri": "https://evil.test/x.png", "software_id": "x", "skip_consent": true, "resource_server": true}"#)
        #expect(reply.status == .created)
        for name in ["logo_uri", "software_id", "skip_consent", "resource_server"] { #expect(reply.fields[name] == nil, "\(name)") }
    }

    @Test func tokenModeNeedsASingleUseInitialAccessToken() async throws {
        let (provider, http) = try await make("token")
        #expect(await register(http, Self.web).status == .unauthorized)
        #expect(await register(http, Self.web, token: "made-up").oauthError == "invalid_token")
        let token = try await provider.services.registration.issueInitialToken()
        // A refused document does not use the token up.
        #expect(await register(http, #"{"redirect_uris": ["javascript:x"]}"#, token: token).oauthError == "invalid_redirect_uri")
        #expect(await register(http, Self.web, token: token).status == .created)
        #expect(await register(http, Self.web, token: token).status == .unauthorized)
        let expiring = try await provider.services.registration.issueInitialToken(lifetime: 60)
        provider.clock.advance(61)
        #expect(await register(http, Self.web, token: expiring).status == .unauthorized)
        #expect(try await provider.count("clients") == 1)
    }

    @Test func concurrentRegistrationsWithOneInitialTokenHaveOneWinner() async throws {
        let (provider, _) = try await make("token")
        let token = try await provider.services.registration.issueInitialToken()
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<6 { group.addTask { await register(provider.browser(), Self.web, token: token).status.code } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.sorted() == [201, 401, 401, 401, 401, 401])
        #expect(try await provider.count("clients") == 1)
    }

    @Test func theConfigurationEndpointReadsUpdatesAndDeletes() async throws {
        let (provider, http) = try await make("open")
        let fields = await register(http, Self.web).fields
        let uri = try #require(fields["registration_client_uri"] as? String)
        let token = try #require(fields["registration_access_token"] as? String)
        let clientID = try #require(fields["client_id"] as? String)

        let read = await send(http, .get, uri, token: token)
        #expect(read.status == .ok)
        #expect(read.fields["client_name"] as? String == "Dyn App")
        #expect(read.fields["client_secret"] == nil)

        let put = await send(http, .put, uri, token: token,
                             json: #"{"client_id": "\#(clientID)", "client_name": "Renamed", "redirect_uris": ["https://dyn.test/new"]}"#)
        #expect(put.status == .ok)
        #expect(put.fields["client_name"] as? String == "Renamed")
        #expect(try await provider.services.clients.find(clientID)?.redirectURIs == ["https://dyn.test/new"])
        let hostile = await send(http, .put, uri, token: token, json: #"{"redirect_uris": ["javascript:alert(1)"]}"#)
        #expect(hostile.oauthError == "invalid_redirect_uri")
        let otherID = await send(http, .put, uri, token: token, json: #"{"client_id": "someone-else", "redirect_uris": ["https://dyn.test/x"]}"#)
        #expect(otherID.oauthError == "invalid_request")
        let toPublic = await send(http, .put, uri, token: token,
                                  json: #"{"redirect_uris": ["https://dyn.test/x"], "token_endpoint_auth_method": "none"}"#)
        #expect(toPublic.oauthError == "invalid_client_metadata")
        #expect(try await provider.services.clients.find(clientID)?.redirectURIs == ["https://dyn.test/new"])

        #expect(await send(http, .delete, uri, token: token).status == .noContent)
        #expect(try await provider.services.clients.find(clientID) == nil)
        #expect(await send(http, .get, uri, token: token).status == .unauthorized)
    }

    @Test func theConfigurationEndpointNeedsThatClientsToken() async throws {
        let (provider, http) = try await make("open")
        let first = await register(http, Self.web).fields
        let second = await register(http, Self.web).fields
        let uri = try #require(first["registration_client_uri"] as? String)
        let othersToken = try #require(second["registration_access_token"] as? String)
        for token in [othersToken, "nonsense", ""] {
            let reply = await send(http, .get, uri, token: token)
            #expect(reply.status == .unauthorized)
            #expect(reply.oauthError == "invalid_token")
            #expect(await send(http, .delete, uri, token: token).status == .unauthorized)
        }
        // A client an admin registered has no registration token: not manageable over HTTP.
        let admin = try await provider.registerClient()
        #expect(await send(http, .get, TestProvider.issuer + "/oauth/register/" + admin.id, token: othersToken).status == .unauthorized)
        #expect(try await provider.count("clients") == 3)
    }
}
