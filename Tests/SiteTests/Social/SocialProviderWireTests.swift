import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// What the site sends each provider, byte for byte where the provider is particular about it.
@Suite struct SocialProviderWireTests {
    @Test func gitHubGetsPKCEJSONAcceptAndItsMandatoryHeaders() async throws {
        try await SocialSite.with([.github]) { social in
            _ = try await social.signIn(with: "github", social.site.client())
            let exchange = try #require(social.github.requests(to: "/login/oauth/access_token").first)
            #expect(exchange.header("Accept") == "application/json")
            #expect(exchange.form["grant_type"] == "authorization_code")
            #expect(exchange.form["redirect_uri"] == "https://latchkey.test/auth/github/callback")
            #expect((exchange.form["code_verifier"] ?? "").count >= 43)
            for path in ["/user", "/user/emails"] {
                let call = try #require(social.github.requests(to: path).first)
                #expect(call.header("Authorization")?.hasPrefix("Bearer gho_") == true)
                #expect(call.header("X-GitHub-Api-Version") == "2022-11-28")
                #expect(call.header("Accept") == "application/vnd.github+json")
                #expect(!(call.header("User-Agent") ?? "").isEmpty)
            }
        }
    }

    @Test func facebookGetsTheSameRedirectURIAppSecretProofAndALongLivedExchange() async throws {
        try await SocialSite.with([.facebook]) { social in
            _ = try await social.signIn(with: "facebook", social.site.client())
            let exchanges = social.facebook.requests(to: "/v25.0/oauth/access_token")
            #expect(exchanges.count == 2)
            #expect(exchanges.first?.method == .get)
            #expect(exchanges.first?.query["redirect_uri"] == "https://latchkey.test/auth/facebook/callback")
            #expect(exchanges.first?.query["grant_type"] == nil)
            #expect(exchanges.last?.query["grant_type"] == "fb_exchange_token")
            let me = try #require(social.facebook.requests(to: "/v25.0/me").first)
            let token = try #require(me.query["access_token"])
            #expect(me.query["appsecret_proof"] == FacebookFake.appSecretProof(token: token, appSecret: "facebook-app-secret"))
            // The long-lived token is the one kept and used.
            #expect(token == social.facebook.issuedAccessTokens.last)
        }
    }

    @Test func linkedInGetsTheSecretInTheBodyAndNoPKCE() async throws {
        try await SocialSite.with([.linkedin]) { social in
            _ = try await social.signIn(with: "linkedin", social.site.client())
            let exchange = try #require(social.linkedIn.requests(to: "/oauth/v2/accessToken").first)
            #expect(exchange.header("Authorization") == nil)
            #expect(exchange.form["client_secret"] == "linkedin-client-secret")
            #expect(exchange.form["code_verifier"] == nil)
            #expect(social.linkedIn.requests(to: "/v2/userinfo").first?.header("Authorization")?.hasPrefix("Bearer AQV") == true)
        }
    }

    @Test func openIDProviderGetsBasicAuthPKCEAndItsNonceBack() async throws {
        try await SocialSite.with([.oidc]) { social in
            let client = social.site.client()
            let start = await social.start("oidc", client)
            let nonce = try #require(FakeBrowser.queryItems(of: start.location ?? "")["nonce"])
            #expect(await client.get(try await social.approve(start)).location == "/account")
            let exchange = try #require(social.oidc.requests(to: "/token").first)
            #expect(exchange.header("Authorization")?.hasPrefix("Basic ") == true)
            #expect(exchange.form["client_secret"] == nil)
            #expect((exchange.form["code_verifier"] ?? "").count >= 43)
            #expect(!nonce.isEmpty)
        }
    }

    @Test func openIDDiscoveryIsFetchedOnce() async throws {
        try await SocialSite.with([.oidc]) { social in
            _ = try await social.signIn(with: "oidc", social.site.client())
            _ = try await social.signIn(with: "oidc", social.site.client())
            #expect(social.oidc.requests(to: "/.well-known/openid-configuration").count == 1)
            #expect(social.oidc.requests(to: "/jwks").count == 1)
        }
    }
}
