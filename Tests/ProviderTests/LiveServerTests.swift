import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// The whole authorization code flow over a real socket, the way a browser and a client
/// server would drive it: sign in, consent, code, PKCE exchange, profile, refresh.
@Suite struct LiveServerTests {
    /// A tiny browser over the HTTP client: keeps the provider's session cookie by hand.
    final class Browser: @unchecked Sendable {
        let http = CurlHTTPClient(connectTimeout: 5, totalTimeout: 10)
        let base: String
        var cookie: String?

        init(base: String) { self.base = base }

        func send(_ request: ClientRequest) async throws -> ClientResponse {
            var request = request
            if let cookie { request.headers.set("Cookie", cookie) }
            let response = try await http.send(request)
            if let set = response.headers.values(for: "Set-Cookie").last, let pair = set.split(separator: ";").first {
                cookie = String(pair)
            }
            return response
        }

        func get(_ path: String) async throws -> ClientResponse { try await send(.get(base + path)) }
        func post(_ path: String, _ form: [(String, String)], headers: HTTPHeaders = [:]) async throws -> ClientResponse {
            try await send(.post(base + path, form: form, headers: headers))
        }
    }

    @Test func authorizationCodeWithPKCEAndRefreshOverASocket() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(name: "Live", redirectURIs: ["http://127.0.0.1:1/callback"])
        let server = try LiveServer.start(provider.application)
        do {
            try await run(against: server, client: client)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func run(against server: LiveServer, client: TestOAuthClient) async throws {
        let browser = Browser(base: server.baseURL)
        let login = try await browser.get("/login")
        #expect(login.status == 200)
        let csrf = try #require(TestClient.hiddenField("csrf_token", in: login.text))
        let signedIn = try await browser.post("/login", [("csrf_token", csrf), ("username", "alice"), ("password", TestProvider.password)])
        #expect(signedIn.status == 303)

        let pkce = PKCEPair()
        let parameters = authorizeParameters(client, pkce: pkce, nonce: "live-nonce")
        let consent = try await browser.get(authorizePath(parameters))
        #expect(consent.status == 200)
        let consentToken = try #require(TestClient.hiddenField("csrf_token", in: consent.text))
        let approved = try await browser.post("/oauth/authorize", parameters + [("csrf_token", consentToken), ("decision", "allow")])
        #expect(approved.status == 302)
        let query = queryParameters(approved.headers["Location"])
        #expect(query["state"] == "xyz-state")
        let code = try #require(query["code"])

        let server2 = Browser(base: server.baseURL)
        let exchanged = try await server2.post("/oauth/token", [("grant_type", "authorization_code"), ("code", code),
                                                                 ("redirect_uri", client.redirectURI), ("code_verifier", pkce.verifier)],
                                               headers: client.basic)
        #expect(exchanged.status == 200)
        #expect(exchanged.headers["Cache-Control"] == "no-store")
        let tokens = try JSONSerialization.jsonObject(with: Data(exchanged.body)) as? [String: Any] ?? [:]
        let access = try #require(tokens["access_token"] as? String)
        let refresh = try #require(tokens["refresh_token"] as? String)

        let profile = try await server2.send(.get(server.baseURL + "/api/profile", headers: ["Authorization": "Bearer \(access)"]))
        #expect(profile.status == 200)
        #expect(profile.text.contains("\"username\":\"alice\""))

        let refreshed = try await server2.post("/oauth/token", [("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: client.basic)
        #expect(refreshed.status == 200)
        let rotated = try JSONSerialization.jsonObject(with: Data(refreshed.body)) as? [String: Any] ?? [:]
        #expect(rotated["refresh_token"] as? String != refresh)
        let replay = try await server2.post("/oauth/token", [("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: client.basic)
        #expect(replay.status == 400)
        #expect(replay.text.contains("invalid_grant"))
    }
}
