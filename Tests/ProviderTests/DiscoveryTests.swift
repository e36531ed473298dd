import Foundation
import Security
import Testing
import WebTesting
@testable import Provider

@Suite struct DiscoveryTests {
    @Test func metadataNamesEveryEndpointUnderTheIssuer() async throws {
        let provider = try await TestProvider.make()
        let response = await provider.browser().get("/.well-known/oauth-authorization-server")
        #expect(response.status == .ok)
        let fields = response.fields
        let issuer = TestProvider.issuer
        #expect(fields["issuer"] as? String == issuer)
        #expect(fields["authorization_endpoint"] as? String == issuer + "/oauth/authorize")
        #expect(fields["token_endpoint"] as? String == issuer + "/oauth/token")
        #expect(fields["revocation_endpoint"] as? String == issuer + "/oauth/revoke")
        #expect(fields["introspection_endpoint"] as? String == issuer + "/oauth/introspect")
        #expect(fields["userinfo_endpoint"] as? String == issuer + "/oauth/userinfo")
        #expect(fields["jwks_uri"] as? String == issuer + "/.well-known/jwks.json")
        #expect(fields["code_challenge_methods_supported"] as? [String] == ["S256"])
        #expect(fields["response_types_supported"] as? [String] == ["code"])
        #expect((fields["grant_types_supported"] as? [String])?.contains("refresh_token") == true)
    }

    @Test func openIDConfigurationIsTheSameDocument() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        let oauth = await browser.get("/.well-known/oauth-authorization-server")
        let openid = await browser.get("/.well-known/openid-configuration")
        #expect(openid.status == .ok)
        #expect(openid.text == oauth.text)
        #expect(openid.fields["id_token_signing_alg_values_supported"] as? [String] == ["RS256"])
    }

    @Test func jwksPublishesTheSigningKeyUnderItsThumbprint() async throws {
        let provider = try await TestProvider.make()
        let set = try await provider.browser().get("/.well-known/jwks.json").json(JWKSet.self)
        #expect(set.keys.count == 1)
        let key = try #require(set.keys.first)
        #expect(key.kty == "RSA")
        #expect(key.alg == "RS256")
        #expect(key.use == "sig")
        #expect(key.kid == provider.services.signingKeys.activeKeyID)
        #expect(try RSAPublicKey(jwk: key).thumbprint == key.kid)
    }
}
