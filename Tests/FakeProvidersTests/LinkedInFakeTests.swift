import FakeProviders
import Foundation
import Security
import Testing
import Web

@Suite struct LinkedInFakeTests {
    static let id = "linkedin-client-id"
    static let secret = "linkedin-client-secret"

    static func makeFake() throws -> LinkedInFake {
        let fake = try LinkedInFake()
        fake.addUser(sub: "782bbtaQ", name: "John Doe", email: "doe@example.com", picture: "https://media.example/doe.jpg")
        return fake
    }

    static func code(_ fake: LinkedInFake, extra: [(String, String)] = []) async throws -> String {
        let items = try await approve(url(fake.baseURL, "/oauth/v2/authorization",
            [("response_type", "code"), ("client_id", id), ("redirect_uri", callback), ("state", "st-1"),
             ("scope", "openid profile email")] + extra))
        #expect(items["state"] == "st-1")
        return try #require(items["code"])
    }

    static func exchange(_ fake: LinkedInFake, code: String, extra: [(String, String)] = [],
                         headers: HTTPHeaders = [:]) async throws -> ClientResponse {
        try await http.send(.post(fake.baseURL + "/oauth/v2/accessToken",
                                  form: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", callback),
                                         ("client_id", id), ("client_secret", secret)] + extra, headers: headers))
    }

    static func keys(_ fake: LinkedInFake) async throws -> JWKSet {
        try await http.send(.get(fake.baseURL + "/oauth/openid/jwks")).json(JWKSet.self)
    }

    @Test func issuesTokenAndIDTokenThatVerifiesAgainstTheJWKS() async throws {
        try await using(try Self.makeFake()) { fake in
            let reply = try object(try await Self.exchange(fake, code: try await Self.code(fake, extra: [("nonce", "n-1")])))
            #expect(reply["expires_in"] == 5_184_000)
            #expect(reply["token_type"] == "Bearer")
            #expect(reply["scope"] == "email,openid,profile")
            let idToken = try JWT.parse(try #require(reply["id_token"]?.stringValue))
            let claims = try idToken.verify(using: try await Self.keys(fake), issuer: fake.baseURL + "/oauth", audience: Self.id,
                                            now: now, nonce: nil)
            #expect(claims.string("sub") == "782bbtaQ")
            #expect(claims["nonce"] == nil)
            #expect(claims["email_verified"] == "true")
            #expect(claims.string("email") == "doe@example.com")
            #expect(claims.string("given_name") == "John")
        }
    }

    @Test func refusesBasicAuthAtTheTokenEndpoint() async throws {
        try await using(try Self.makeFake()) { fake in
            let response = try await http.send(.post(fake.baseURL + "/oauth/v2/accessToken",
                form: [("grant_type", "authorization_code"), ("code", try await Self.code(fake)), ("redirect_uri", callback)],
                headers: ["Authorization": basic(Self.id, Self.secret)]))
            #expect(response.status == 401)
            #expect(try object(response)["error"] == "invalid_client")
        }
    }

    @Test func refusesPKCEFromAWebApp() async throws {
        try await using(try Self.makeFake()) { fake in
            let pkce = PKCEPair()
            let code = try await Self.code(fake, extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")])
            let response = try await Self.exchange(fake, code: code, extra: [("code_verifier", pkce.verifier)])
            #expect(response.status == 401)
            #expect(try object(response)["error"] == "invalid_client")
        }
    }

    @Test func userinfoReturnsTheMemberWithLocaleObject() async throws {
        try await using(try Self.makeFake()) { fake in
            let token = try #require(try object(try await Self.exchange(fake, code: try await Self.code(fake)))["access_token"]?.stringValue)
            let response = try await http.send(.get(fake.baseURL + "/v2/userinfo", headers: ["Authorization": "Bearer \(token)"]))
            let info = try object(response)
            #expect(info["sub"] == "782bbtaQ")
            #expect(info["email_verified"] == true)
            #expect(info["locale"] == ["country": "US", "language": "en"])
            let anonymous = try await http.send(.get(fake.baseURL + "/v2/userinfo"))
            #expect(anonymous.status == 401)
            #expect(try object(anonymous)["serviceErrorCode"] == 65600)
        }
    }

    @Test func introspectionNamesTheOwningClient() async throws {
        try await using(try Self.makeFake()) { fake in
            let token = try #require(try object(try await Self.exchange(fake, code: try await Self.code(fake)))["access_token"]?.stringValue)
            let introspect = { (token: String) async throws -> [String: JSONValue] in
                try object(try await http.send(.post(fake.baseURL + "/oauth/v2/introspectToken",
                                                     form: [("client_id", Self.id), ("client_secret", Self.secret), ("token", token)])))
            }
            let info = try await introspect(token)
            #expect(info["active"] == true)
            #expect(info["client_id"] == .string(Self.id))
            #expect(info["status"] == "active")
            #expect(info["auth_type"] == "3L")
            #expect(try await introspect("AQVbogus") == ["active": false])
        }
    }

    @Test func refusalsComeBackWithLinkedInErrorCodes() async throws {
        try await using(try Self.makeFake()) { fake in
            let base = [("response_type", "code"), ("client_id", Self.id), ("redirect_uri", callback), ("state", "s")]
            let legacy = try await approve(url(fake.baseURL, "/oauth/v2/authorization", base + [("scope", "r_liteprofile")]))
            #expect(legacy["error"] == "unauthorized_scope_error")
            fake.inject(.deny, on: .authorize)
            let cancelled = try await approve(url(fake.baseURL, "/oauth/v2/authorization", base + [("scope", "openid")]))
            #expect(cancelled["error"] == "user_cancelled_authorize")
            #expect(cancelled["state"] == "s")
        }
    }

    @Test(arguments: [(FakeFault.idTokenWrongSignature, JWTError.badSignature), (.idTokenWrongAudience, .wrongAudience),
                      (.idTokenWrongIssuer, .wrongIssuer), (.idTokenExpired, .expired)])
    func idTokenFaultsFailVerification(fault: FakeFault, expected: JWTError) async throws {
        try await using(try Self.makeFake()) { fake in
            fake.inject(fault, on: .token)
            let reply = try object(try await Self.exchange(fake, code: try await Self.code(fake)))
            let idToken = try JWT.parse(try #require(reply["id_token"]?.stringValue))
            let keys = try await Self.keys(fake)
            #expect(throws: expected) {
                try idToken.verify(using: keys, issuer: fake.issuer, audience: Self.id, now: now, nonce: nil)
            }
        }
    }
}
