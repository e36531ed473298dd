import Foundation
import Testing
import Web
import WebTesting
@testable import Provider

/// Resource indicators (RFC 8707) and DPoP (RFC 9449) through the flows issue 15 added beside
/// the plain code flow: a pushed authorization request (RFC 9126) carries `resource` as a plain
/// one does, and the device grant's poll (RFC 8628 §3.4) may name one and carry a proof.
extension JWTAccessTokenTests {
    func pushRequest(_ browser: TestClient, _ client: TestOAuthClient, _ parameters: [(String, String)]) async -> TestResponse {
        await browser.post("/oauth/par", form: parameters.filter { $0.0 != "client_id" }, headers: client.basic)
    }

    @Test func aPushedRequestIsCheckedForAndCarriesItsResources() async throws {
        let (provider, browser, client) = try await setUp()
        await browser.signIn("alice")
        let pkce = PKCEPair()
        for resource in ["https://evil.example", "not a uri"] {
            let refused = await pushRequest(browser, client, authorizeParameters(client, pkce: pkce, extra: [("resource", resource)]))
            #expect(refused.status == .badRequest, "\(resource)")
            #expect(refused.oauthError == "invalid_target", "\(resource)")
        }
        #expect(try await provider.count("pushed_authorization_requests") == 0)

        let pushed = await pushRequest(browser, client, authorizeParameters(client, pkce: pkce, extra: [("resource", Self.api)]))
        let requestURI = try #require(pushed.fields["request_uri"] as? String, "PAR failed: \(pushed.text)")
        let answer = await browser.get("/oauth/authorize?" + FormData([("client_id", client.id), ("request_uri", requestURI)]).encoded)
        let code = try #require(queryParameters(answer.location)["code"], "\(answer.status) \(answer.location ?? "")")
        let tokens = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI),
                                          ("code_verifier", pkce.verifier)], headers: client.basic)
        let token = try #require(tokens.fields["access_token"] as? String, "\(tokens.text)")
        #expect(try await verified(token, http: browser).claims.audience == [Self.api])
    }

    @Test func theDeviceGrantsPollMayNameAResourceAndBindTheTokensToAKey() async throws {
        let provider = try await TestProvider.make(["PROVIDER_RESOURCES": Self.api])
        try await provider.createUser("alice")
        let client = try await provider.registerClient(redirectURIs: [], grants: [.deviceCode, .refreshToken], confidential: false,
                                                       accessTokenFormat: .jwt)
        let http = provider.browser()
        let started = await http.post("/oauth/device_authorization", form: [("client_id", client.id), ("scope", "openid profile")])
        let deviceCode = try #require(started.fields["device_code"] as? String)
        let userCode = try #require(started.fields["user_code"] as? String)
        let browser = provider.browser()
        await browser.signIn("alice")
        _ = await browser.submit("/device", [("user_code", userCode)], tokenFrom: "/device")
        #expect(await browser.submit("/device/decide", [("decision", "allow")], tokenFrom: "/device").text.contains("Your device is connected"))
        provider.clock.advance(5)

        func poll(_ resource: String, proof: String? = nil) async -> TestResponse {
            var headers = HTTPHeaders()
            if let proof { headers.add("DPoP", proof) }
            return await http.token([("grant_type", DeviceGrantTests.grant), ("device_code", deviceCode), ("client_id", client.id),
                                     ("resource", resource)], headers: headers)
        }
        // A resource we do not serve is refused before the poll counts, so the code stays usable.
        let refused = await poll("https://evil.example")
        #expect(refused.status == .badRequest)
        #expect(refused.oauthError == "invalid_target")

        let key = try DPoPKey.es256()
        let tokens = await poll(Self.api, proof: try key.proof("POST", DPoPTests.tokenURI, iat: provider.clock.now))
        #expect(tokens.status == .ok, "\(tokens.text)")
        #expect(tokens.fields["token_type"] as? String == "DPoP")
        let claims = try await verified(try #require(tokens.fields["access_token"] as? String), http: http).claims
        #expect(claims.audience == [Self.api])
        #expect(claims["cnf"] == .object(["jkt": .string(key.thumbprint)]))
        // A public client's refresh token is bound to the key too.
        let refresh = try #require(tokens.fields["refresh_token"] as? String)
        let unbound = await http.token([("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", client.id)])
        #expect(unbound.oauthError == "invalid_dpop_proof")
    }
}
