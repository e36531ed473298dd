import Identity
import Accounts
import FakeProviders
import Foundation
import Storage
import Testing
import Web
import WebTesting

/// What `/api` answers to bad input: malformed bodies, unknown providers, tokens for other apps,
/// expired tokens, providers that are down, bad or disabled bearer tokens. Every answer is the
/// JSON error body with its code, and nothing is stored.
@Suite struct APIBadInputTests {
    @Test func refusesMalformedJSON() async throws {
        let site = try await TestSite.make()
        let response = await site.client().postJSON("/api/auth/social", json: #"{"provider": "github", "access_token": "#)
        #expect(response.status.code == 400)
        #expect(response.apiError == "invalid_request")
        #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
    }

    @Test(arguments: [#"{"provider": "github"}"#, #"{"access_token": "gho_x"}"#, #"{"provider": "github", "access_token": ""}"#,
                      #"{"provider": "github", "access_token": 42}"#, "[]", ""])
    func refusesAMissingOrEmptyField(body: String) async throws {
        try await SocialSite.with([.github]) { social in
            let response = await social.site.client().postJSON("/api/auth/social", json: body)
            #expect(response.status.code == 400, "\(body) → \(response.text)")
            #expect(response.apiError == "invalid_request")
            #expect(social.github.requests(to: "/applications/github-client-id/token").isEmpty)
        }
    }

    @Test func refusesABodyThatIsNotJSON() async throws {
        let site = try await TestSite.make()
        let response = await site.client().post("/api/auth/social", form: [("provider", "github"), ("access_token", "x")])
        #expect(response.status.code == 415)
        #expect(response.apiError == "unsupported_media_type")
    }

    @Test(arguments: ["myspace", "sibling", "GitHub", "../admin"])
    func refusesAnUnknownOrDisabledProvider(provider: String) async throws {
        try await SocialSite.with([.github]) { social in
            let response = await social.site.client().apiSignIn(provider, accessToken: "gho_whatever")
            #expect(response.status.code == 400)
            #expect(response.apiError == "unsupported_provider")
        }
    }

    @Test func requiresAnIDTokenForGenericOpenIDConnect() async throws {
        try await SocialSite.with([.oidc]) { social in
            let tokens = try await APIFrontEnd.openID(social.oidc)
            let response = await social.site.client().apiSignIn("oidc", accessToken: tokens.accessToken)
            #expect(response.status.code == 400)
            #expect(response.apiError == "invalid_request")
            #expect(try await social.rows() == .none)
        }
    }

    @Test(arguments: SocialProviderKind.fakes)
    func refusesATokenIssuedToAnotherApp(kind: SocialProviderKind) async throws {
        try await SocialSite.with([kind]) { social in
            let tokens: APIFrontEnd.Tokens
            switch kind {
            case .github:
                social.github.addClient(id: "other-app", secret: "other-secret")
                tokens = try await APIFrontEnd.gitHub(social.github, clientID: "other-app", secret: "other-secret")
            case .facebook:
                social.facebook.addApp(id: "9999999999", secret: "other-secret")
                tokens = try await APIFrontEnd.facebook(social.facebook, appID: "9999999999", secret: "other-secret")
            case .linkedin:
                social.linkedIn.addClient(id: "other-app", secret: "other-secret")
                tokens = try await APIFrontEnd.linkedIn(social.linkedIn, clientID: "other-app", secret: "other-secret")
            case .oidc:
                social.oidc.addClient(id: "other-app", secret: "other-secret")
                tokens = try await APIFrontEnd.openID(social.oidc, clientID: "other-app", secret: "other-secret")
            case .sibling:
                return  // not among the fakes this test runs over
            }
            let response = await social.site.client().apiSignIn(kind.rawValue, accessToken: tokens.accessToken, idToken: tokens.idToken)
            #expect(response.status.code == 401, "\(response.text)")
            #expect(response.apiError == "token_wrong_audience")
            #expect(try await social.rows() == .none)
            #expect(social.profileRequests(kind).isEmpty, "fetched a profile with another app's token")
        }
    }

    @Test(arguments: [SocialProviderKind.facebook, .linkedin])
    func refusesAnExpiredToken(kind: SocialProviderKind) async throws {
        try await SocialSite.with([kind]) { social in
            let token = kind == .facebook ? try await APIFrontEnd.facebook(social.facebook).accessToken
                                          : try await APIFrontEnd.linkedIn(social.linkedIn).accessToken
            let fake = social.provider(kind) as? any FakeProvider
            #expect(fake?.expireToken(token) == true)
            let response = await social.site.client().apiSignIn(kind.rawValue, accessToken: token)
            #expect(response.status.code == 401, "\(response.text)")
            #expect(response.apiError == "invalid_token")
            #expect(try await social.rows() == .none)
        }
    }

    @Test func refusesAnExpiredIDToken() async throws {
        try await SocialSite.with([.oidc]) { social in
            social.oidc.inject(.idTokenExpired, on: .token)
            let tokens = try await APIFrontEnd.openID(social.oidc)
            let response = await social.site.client().apiSignIn("oidc", accessToken: tokens.accessToken, idToken: tokens.idToken)
            #expect(response.status.code == 401)
            #expect(response.apiError == "invalid_token")
            #expect(try await social.rows() == .none)
        }
    }

    @Test(arguments: [FakeFault.status(500), .status(503), .timeout(3)])
    func reportsAProviderThatIsDown(fault: FakeFault) async throws {
        try await SocialSite.with([.github], environment: ["HTTP_TIMEOUT": "1"]) { social in
            let token = try await APIFrontEnd.gitHub(social.github).accessToken
            social.github.inject(fault, on: .tokenInfo)
            let response = await social.site.client().apiSignIn("github", accessToken: token)
            #expect(response.status.code == 502, "\(response.text)")
            #expect(response.apiError == "provider_unavailable")
            #expect(try await social.rows() == .none)
        }
    }

    @Test func reportsAProfileEndpointThatIsDown() async throws {
        try await SocialSite.with([.linkedin]) { social in
            let token = try await APIFrontEnd.linkedIn(social.linkedIn).accessToken
            social.linkedIn.inject(.status(500), on: .profile)
            let response = await social.site.client().apiSignIn("linkedin", accessToken: token)
            #expect(response.status.code == 502)
            #expect(response.apiError == "provider_unavailable")
            #expect(try await social.rows() == .none)
        }
    }

    @Test func answersADisabledUsersBearerWithForbidden() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            let client = social.site.client()
            let signedIn = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            let bearer = try #require(signedIn.json["token"]?.stringValue)
            let userID = Int64(try #require(signedIn.json["user"]?["id"]?.intValue))
            try await social.site.services.database.write { db in try UserRepository.setDisabled(true, userID: userID, now: 0, in: db) }

            let me = await client.api(.get, "/api/me", bearer: bearer)
            #expect(me.status.code == 403)
            #expect(me.apiError == "account_disabled")
            let link = await client.apiSignIn("linkedin", accessToken: try await APIFrontEnd.linkedIn(social.linkedIn).accessToken, bearer: bearer)
            #expect(link.status.code == 403)
            #expect(link.apiError == "account_disabled")
            let again = await client.apiSignIn("github", accessToken: try await APIFrontEnd.gitHub(social.github).accessToken)
            #expect(again.status.code == 403)
            #expect(again.apiError == "account_disabled")
            #expect(try await social.site.count("api_tokens") == 1)
        }
    }

    @Test(arguments: ["lk_unknown", "not-a-token", APITokenRepository.newToken()])
    func refusesAnUnknownBearer(token: String) async throws {
        let site = try await TestSite.make()
        let response = await site.client().api(.get, "/api/me", bearer: token)
        #expect(response.status.code == 401)
        #expect(response.apiError == "invalid_token")
        #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
    }

    @Test func refusesAnExpiredBearer() async throws {
        let site = try await TestSite.make()
        let user = try await site.createUser("alice")
        let token = try await site.services.database.write { db in
            try APITokenRepository.issue(userID: user.id, lifetime: 3600, now: Clock.now - 7200, in: db).token
        }
        let response = await site.client().api(.get, "/api/me", bearer: token)
        #expect(response.status.code == 401)
        #expect(response.apiError == "invalid_token")
    }

    @Test func refusesARequestWithoutABearerOrWithAnotherScheme() async throws {
        let site = try await TestSite.make()
        #expect(await site.client().get("/api/me").apiError == "invalid_token")
        let basic = await site.client().get("/api/me", headers: ["Authorization": "Basic YWxpY2U6c2VjcmV0"])
        #expect(basic.status.code == 401)
        #expect(basic.apiError == "invalid_token")
    }

    @Test func ignoresTheSessionCookie() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = site.client()
        await client.signIn("alice")
        #expect(client.sessionID != nil)
        #expect(await client.get("/api/me").status.code == 401)
    }

    @Test func answersUnknownPathsAndMethodsWithJSON() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        let missing = await client.get("/api/nowhere", headers: ["Accept": "text/html"])
        #expect(missing.status.code == 404)
        #expect(missing.apiError == "not_found")
        let method = await client.send(.delete, "/api/me")
        #expect(method.status.code == 405)
        #expect(method.apiError == "method_not_allowed")
        #expect(method.headers["Allow"]?.contains("GET") == true)
        let get = await client.get("/api/auth/social")
        #expect(get.status.code == 405)
        #expect(get.apiError == "method_not_allowed")
    }
}

extension APIBadInputTests {
    /// Issue 13: an unknown or expired provider token is `invalid_token`, not another app's.
    @Test(arguments: [SocialProviderKind.github, .facebook, .linkedin])
    func refusesAnUnknownTokenAsInvalid(kind: SocialProviderKind) async throws {
        try await SocialSite.with([kind]) { social in
            let response = await social.site.client().apiSignIn(kind.rawValue, accessToken: "not-a-token-anyone-issued")
            #expect(response.status.code == 401, "\(response.text)")
            #expect(response.apiError == "invalid_token")
            let rows = try await social.rows()
            #expect(rows == .none)
        }
    }

    @Test func refusesAnExpiredGitHubTokenAsInvalid() async throws {
        try await SocialSite.with([.github]) { social in
            let token = try await APIFrontEnd.gitHub(social.github).accessToken
            #expect(social.github.expireToken(token))
            let response = await social.site.client().apiSignIn("github", accessToken: token)
            #expect(response.status.code == 401, "\(response.text)")
            #expect(response.apiError == "invalid_token")
        }
    }
}
