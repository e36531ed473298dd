import FakeProviders
import Foundation
import Security
import Testing
import Web

@Suite struct OIDCFakeTests {
    static let id = "oidc-client-id"
    static let secret = "oidc-client-secret"

    static func makeFake() throws -> OIDCFake {
        let fake = try OIDCFake()
        fake.addUser(sub: "u-1001", name: "Ada Lovelace", email: "ada@example.com", preferredUsername: "ada")
        return fake
    }

    static func code(_ fake: OIDCFake, pkce: PKCEPair?, nonce: String = "n-1") async throws -> String {
        var query = [("response_type", "code"), ("client_id", id), ("redirect_uri", callback), ("state", "st-1"),
                     ("scope", "openid profile email"), ("nonce", nonce)]
        if let pkce { query += [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")] }
        let items = try await approve(url(fake.baseURL, "/authorize", query))
        #expect(items["iss"] == .some(fake.issuer))
        return try #require(items["code"])
    }

    static func token(_ fake: OIDCFake, _ fields: [(String, String)], basicAuth: Bool = true) async throws -> ClientResponse {
        let credentials = basicAuth ? [] : [("client_id", id), ("client_secret", secret)]
        let headers: HTTPHeaders = basicAuth ? ["Authorization": basic(id, secret)] : [:]
        return try await http.send(.post(fake.baseURL + "/token", form: fields + credentials, headers: headers))
    }

    static func redeem(_ fake: OIDCFake, code: String, verifier: String?, basicAuth: Bool = true) async throws -> ClientResponse {
        var fields = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", callback)]
        if let verifier { fields.append(("code_verifier", verifier)) }
        return try await token(fake, fields, basicAuth: basicAuth)
    }

    @Test func discoveryAdvertisesEveryEndpoint() async throws {
        try await using(try Self.makeFake()) { fake in
            let document = try object(try await http.send(.get(fake.discoveryURL)))
            #expect(document["issuer"] == .string(fake.baseURL))
            for key in ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "revocation_endpoint",
                        "introspection_endpoint"] {
                #expect(document[key]?.stringValue?.hasPrefix(fake.baseURL) == true, "\(key)")
            }
            #expect(document["code_challenge_methods_supported"] == ["S256"])
            #expect(document["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"])
        }
    }

    @Test func codeFlowWithPKCEAndNonceYieldsVerifiableIDToken() async throws {
        try await using(try Self.makeFake()) { fake in
            let pkce = PKCEPair()
            let reply = try object(try await Self.redeem(fake, code: try await Self.code(fake, pkce: pkce), verifier: pkce.verifier))
            #expect(reply["expires_in"] == 300)
            #expect(reply["refresh_token"] != nil)
            let keys = try await http.send(.get(fake.baseURL + "/jwks")).json(JWKSet.self)
            let claims = try JWT.parse(try #require(reply["id_token"]?.stringValue))
                .verify(using: keys, issuer: fake.issuer, audience: Self.id, now: now, nonce: "n-1")
            #expect(claims.string("sub") == "u-1001")
            #expect(claims.bool("email_verified") == true)
            let access = try #require(reply["access_token"]?.stringValue)
            let info = try object(try await http.send(.get(fake.baseURL + "/userinfo", headers: ["Authorization": "Bearer \(access)"])))
            #expect(info["sub"] == "u-1001")
            #expect(info["preferred_username"] == "ada")
        }
    }

    @Test func rejectsWrongOrMissingPKCEVerifier() async throws {
        try await using(try Self.makeFake()) { fake in
            let wrong = try await Self.redeem(fake, code: try await Self.code(fake, pkce: PKCEPair()), verifier: PKCEPair().verifier)
            #expect(wrong.status == 400)
            #expect(try object(wrong)["error"] == "invalid_grant")
            let missing = try await Self.redeem(fake, code: try await Self.code(fake, pkce: PKCEPair()), verifier: nil)
            #expect(try object(missing)["error"] == "invalid_grant")
        }
    }

    @Test func acceptsClientSecretPostAndRefusesBadCredentials() async throws {
        try await using(try Self.makeFake()) { fake in
            let posted = try await Self.redeem(fake, code: try await Self.code(fake, pkce: nil), verifier: nil, basicAuth: false)
            #expect(posted.status == 200)
            let wrong = try await http.send(.post(fake.baseURL + "/token",
                form: [("grant_type", "authorization_code"), ("code", try await Self.code(fake, pkce: nil)), ("redirect_uri", callback)],
                headers: ["Authorization": basic(Self.id, "wrong")]))
            #expect(wrong.status == 401)
            #expect(wrong.headers["WWW-Authenticate"]?.hasPrefix("Basic") == true)
            #expect(try object(wrong)["error"] == "invalid_client")
        }
    }

    @Test func refreshTokensRotateAndReplayRevokesTheFamily() async throws {
        try await using(try Self.makeFake()) { fake in
            let first = try object(try await Self.redeem(fake, code: try await Self.code(fake, pkce: nil), verifier: nil))
            let refresh = try #require(first["refresh_token"]?.stringValue)
            let second = try object(try await Self.token(fake, [("grant_type", "refresh_token"), ("refresh_token", refresh)]))
            let newAccess = try #require(second["access_token"]?.stringValue)
            #expect(second["refresh_token"] != .string(refresh))
            #expect(fake.isTokenActive(newAccess))
            let replay = try await Self.token(fake, [("grant_type", "refresh_token"), ("refresh_token", refresh)])
            #expect(try object(replay)["error"] == "invalid_grant")
            #expect(!fake.isTokenActive(newAccess))
        }
    }

    @Test func revocationAndIntrospectionFollowTheRFCs() async throws {
        try await using(try Self.makeFake()) { fake in
            let reply = try object(try await Self.redeem(fake, code: try await Self.code(fake, pkce: nil), verifier: nil))
            let access = try #require(reply["access_token"]?.stringValue)
            let introspect = { () async throws -> [String: JSONValue] in
                try object(try await http.send(.post(fake.baseURL + "/introspect", form: [("token", access)],
                                                     headers: ["Authorization": basic(Self.id, Self.secret)])))
            }
            let active = try await introspect()
            #expect(active["active"] == true)
            #expect(active["client_id"] == .string(Self.id))
            #expect(active["sub"] == "u-1001")
            let revoked = try await http.send(.post(fake.baseURL + "/revoke", form: [("token", access), ("token_type_hint", "access_token")],
                                                    headers: ["Authorization": basic(Self.id, Self.secret)]))
            #expect(revoked.status == 200)
            #expect(try await introspect() == ["active": false])
            let unknown = try await http.send(.post(fake.baseURL + "/revoke", form: [("token", "nothing")],
                                                    headers: ["Authorization": basic(Self.id, Self.secret)]))
            #expect(unknown.status == 200)
        }
    }

    @Test(arguments: [(FakeFault.idTokenWrongSignature, JWTError.badSignature), (.idTokenWrongAudience, .wrongAudience),
                      (.idTokenWrongIssuer, .wrongIssuer), (.idTokenExpired, .expired)])
    func idTokenFaultsFailVerification(fault: FakeFault, expected: JWTError) async throws {
        try await using(try Self.makeFake()) { fake in
            fake.inject(fault, on: .token)
            let reply = try object(try await Self.redeem(fake, code: try await Self.code(fake, pkce: nil), verifier: nil))
            let idToken = try JWT.parse(try #require(reply["id_token"]?.stringValue))
            #expect(throws: expected) {
                try idToken.verify(using: fake.keySet, issuer: fake.issuer, audience: Self.id, now: now, nonce: "n-1")
            }
        }
    }
}
