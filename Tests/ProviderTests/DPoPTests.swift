import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// DPoP (RFC 9449): proofs, bound access and refresh tokens, replay, nonces, and every bad proof.
@Suite struct DPoPTests {
    static let tokenURI = TestProvider.issuer + "/oauth/token"
    static let profileURI = TestProvider.issuer + "/api/profile"

    func setUp(_ environment: [String: String] = [:], confidential: Bool = true,
               format: AccessTokenFormat = .opaque) async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make(environment)
        try await provider.createUser("alice", name: "Alice")
        let client = try await provider.registerClient(grants: [.authorizationCode, .refreshToken, .password], scopes: "openid profile",
                                                       confidential: confidential, skipConsent: true, accessTokenFormat: format)
        return (provider, provider.browser(), client)
    }

    /// The password grant with `proof` in the `DPoP` header (none when nil).
    func grant(_ http: TestClient, _ client: TestOAuthClient, proof: String?) async -> TestResponse {
        var headers = client.secret == nil ? HTTPHeaders() : client.basic
        if let proof { headers.add("DPoP", proof) }
        var form = [("grant_type", "password"), ("username", "alice"), ("password", TestProvider.password), ("scope", "openid profile")]
        if client.secret == nil { form.append(("client_id", client.id)) }
        return await http.token(form, headers: headers)
    }

    func resource(_ http: TestClient, _ path: String = "/api/profile", scheme: String = "DPoP", token: String, proof: String?) async -> TestResponse {
        var headers: HTTPHeaders = ["Authorization": "\(scheme) \(token)"]
        if let proof { headers.add("DPoP", proof) }
        return await http.get(path, headers: headers)
    }

    @Test(arguments: ["ES256", "RS256", "EdDSA"])
    func aProofBindsTheAccessTokenToItsKey(alg: String) async throws {
        let (provider, http, client) = try await setUp()
        let key = try alg == "ES256" ? DPoPKey.es256() : alg == "RS256" ? DPoPKey.rs256() : DPoPKey.eddsa()
        let now = provider.clock.now
        let reply = await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: now))
        #expect(reply.status == .ok, "\(reply.text)")
        #expect(reply.fields["token_type"] as? String == "DPoP")
        let token = try #require(reply.fields["access_token"] as? String)

        let profile = await resource(http, token: token, proof: try key.proof("GET", Self.profileURI, iat: now, accessToken: token))
        #expect(profile.status == .ok, "\(profile.text)")
        let userinfo = await resource(http, "/oauth/userinfo", token: token,
                                      proof: try key.proof("GET", TestProvider.issuer + "/oauth/userinfo", iat: now, accessToken: token))
        #expect(userinfo.fields["sub"] is String)

        // Bearer use of a bound token is refused.
        let bearer = await resource(http, scheme: "Bearer", token: token, proof: nil)
        #expect(bearer.status == .unauthorized)
        #expect(bearer.headers["WWW-Authenticate"]?.contains("error=\"invalid_token\"") == true)

        let introspection = await http.post("/oauth/introspect", form: [("token", token)], headers: client.basic).fields
        #expect(introspection["active"] as? Bool == true)
        #expect(introspection["token_type"] as? String == "DPoP")
        #expect((introspection["cnf"] as? [String: Any])?["jkt"] as? String == key.thumbprint)
    }

    @Test func withoutAProofTokensStayBearerTokens() async throws {
        let (_, http, client) = try await setUp()
        let reply = await grant(http, client, proof: nil)
        #expect(reply.fields["token_type"] as? String == "Bearer")
        let token = try #require(reply.fields["access_token"] as? String)
        #expect(await resource(http, scheme: "Bearer", token: token, proof: nil).status == .ok)
        let introspection = await http.post("/oauth/introspect", form: [("token", token)], headers: client.basic).fields
        #expect(introspection["cnf"] == nil)
    }

    @Test func aJWTAccessTokenCarriesCnfJkt() async throws {
        let (provider, http, client) = try await setUp(format: .jwt)
        let key = try DPoPKey.es256()
        let token = try #require(await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: provider.clock.now))
            .fields["access_token"] as? String)
        #expect(try JWT.parse(token).claims["cnf"] == .object(["jkt": .string(key.thumbprint)]))
        #expect(await resource(http, token: token, proof: try key.proof("GET", Self.profileURI, iat: provider.clock.now, accessToken: token))
            .status == .ok)
    }

    @Test func badProofsAtTheTokenEndpointAreInvalidDPoPProof() async throws {
        let (provider, http, client) = try await setUp()
        let key = try DPoPKey.es256(), other = try DPoPKey.eddsa()
        let now = provider.clock.now
        var privateJWK = key.jwk
        privateJWK["d"] = "AAAA"
        let valid = try key.proof("POST", Self.tokenURI, iat: now)
        let parts = valid.split(separator: ".").map(String.init)
        let cases: [(String, String)] = [
            ("wrong htm", try key.proof("GET", Self.tokenURI, iat: now)),
            ("wrong htu", try key.proof("POST", TestProvider.issuer + "/oauth/revoke", iat: now)),
            ("htu of another host", try key.proof("POST", "http://evil.test/oauth/token", iat: now)),
            ("old iat", try key.proof("POST", Self.tokenURI, iat: now - 301)),
            ("future iat", try key.proof("POST", Self.tokenURI, iat: now + 61)),
            ("signed by another key", parts[0] + "." + parts[1] + "." + (try other.proof("POST", Self.tokenURI, iat: now)).split(separator: ".")[2]),
            ("jwk of another key", try key.proof("POST", Self.tokenURI, iat: now, jwk: other.jwk)),
            ("typ JWT", try key.proof("POST", Self.tokenURI, iat: now, typ: "JWT")),
            ("alg none", parts[0].replacingOccurrences(of: parts[0], with: Base64URL.encode(Array("{\"alg\":\"none\",\"typ\":\"dpop+jwt\"}".utf8))) + "." + parts[1] + "."),
            ("alg HS256", try key.proof("POST", Self.tokenURI, iat: now, alg: "HS256")),
            ("private key in jwk", try key.proof("POST", Self.tokenURI, iat: now, jwk: privateJWK)),
            ("not a JWT", "not-a-jwt"),
            ("three empty parts", ".."),
            ("garbage parts", "a.b.c"),
            ("huge", String(repeating: "A", count: 20_000) + ".e30.AA"),
        ]
        for (name, proof) in cases {
            let reply = await grant(http, client, proof: proof)
            #expect(reply.status == .badRequest, "\(name): \(reply.status.code)")
            #expect(reply.oauthError == "invalid_dpop_proof", "\(name): \(reply.text)")
        }
        // The query and fragment are not part of the comparison (§4.3), nor the default port's spelling.
        #expect(await grant(http, client, proof: try key.proof("POST", Self.tokenURI + "?x=1#f", iat: now)).status == .ok)
        #expect(await grant(http, client, proof: try key.proof("POST", "HTTP://Provider.test:80/oauth/token", iat: now)).status == .ok)
        #expect(try await provider.count("access_tokens") == 2, "no refused proof issued a token")

        // Two proofs folded into one field (as a proxy would join repeated headers) are no proof.
        let folded = try key.proof("POST", Self.tokenURI, iat: now) + ", " + (try key.proof("POST", Self.tokenURI, iat: now))
        #expect(await grant(http, client, proof: folded).oauthError == "invalid_dpop_proof")
    }

    @Test func aProofIsAcceptedOnceEvenUnderConcurrentReplays() async throws {
        let (provider, http, client) = try await setUp()
        let key = try DPoPKey.es256()
        let proof = try key.proof("POST", Self.tokenURI, iat: provider.clock.now)
        #expect(await grant(http, client, proof: proof).status == .ok)
        let again = await grant(http, client, proof: proof)
        #expect(again.oauthError == "invalid_dpop_proof")
        #expect(again.fields["error_description"] as? String == "This DPoP proof was already used.")

        let fresh = try key.proof("POST", Self.tokenURI, iat: provider.clock.now)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { await grant(provider.browser(), client, proof: fresh).status.code } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == 400 }.count == 7, "\(statuses)")
    }

    @Test func resourceEndpointsRefuseBadProofsAndMissingOnes() async throws {
        let (provider, http, client) = try await setUp()
        let key = try DPoPKey.es256(), other = try DPoPKey.rs256()
        let now = provider.clock.now
        let token = try #require(await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: now)).fields["access_token"] as? String)
        let otherToken = try #require(await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: now)).fields["access_token"] as? String)

        let noProof = await resource(http, token: token, proof: nil)
        #expect(noProof.status == .unauthorized)
        #expect(noProof.headers["WWW-Authenticate"]?.hasPrefix("DPoP error=\"invalid_dpop_proof\"") == true)
        #expect(noProof.headers["WWW-Authenticate"]?.contains("algs=\"ES256 RS256 EdDSA\"") == true)

        let proofCases: [(String, String, String)] = [
            ("wrong htm", try key.proof("POST", Self.profileURI, iat: now, accessToken: token), "invalid_dpop_proof"),
            ("wrong htu", try key.proof("GET", TestProvider.issuer + "/oauth/userinfo", iat: now, accessToken: token), "invalid_dpop_proof"),
            ("old iat", try key.proof("GET", Self.profileURI, iat: now - 400, accessToken: token), "invalid_dpop_proof"),
            ("no ath", try key.proof("GET", Self.profileURI, iat: now), "invalid_dpop_proof"),
            ("ath of another token", try key.proof("GET", Self.profileURI, iat: now, accessToken: otherToken), "invalid_dpop_proof"),
            ("malformed", "eyJ.eyJ.sig", "invalid_dpop_proof"),
            ("another key", try other.proof("GET", Self.profileURI, iat: now, accessToken: token), "invalid_token"),
        ]
        for (name, proof, code) in proofCases {
            let reply = await resource(http, token: token, proof: proof)
            #expect(reply.status == .unauthorized, "\(name)")
            #expect(reply.headers["WWW-Authenticate"]?.contains("error=\"\(code)\"") == true, "\(name): \(reply.headers["WWW-Authenticate"] ?? "")")
        }
        let stolen = await resource(http, token: token, proof: try other.proof("GET", Self.profileURI, iat: now, accessToken: token))
        #expect(stolen.headers["WWW-Authenticate"]?.hasPrefix("DPoP error=\"invalid_token\"") == true, "answered in the DPoP scheme")
        let good = try key.proof("GET", Self.profileURI, iat: now, accessToken: token)
        #expect(await resource(http, token: token, proof: good).status == .ok)
        #expect(await resource(http, token: token, proof: good).status == .unauthorized, "a replayed proof")

        // Concurrent replays of one proof at a resource endpoint: exactly one is served.
        let shared = try key.proof("GET", Self.profileURI, iat: now, accessToken: token)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { await resource(provider.browser(), token: token, proof: shared).status.code } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.sorted() == [200, 401, 401, 401, 401, 401, 401, 401], "\(statuses)")

        // An unbound token is a bearer token only.
        let plain = try #require(await grant(http, client, proof: nil).fields["access_token"] as? String)
        #expect(await resource(http, token: plain, proof: try key.proof("GET", Self.profileURI, iat: now, accessToken: plain)).status == .unauthorized)
    }

    @Test func aPublicClientsRefreshTokenIsBoundAndAConfidentialClientsIsNot() async throws {
        let (provider, http, client) = try await setUp(confidential: false)
        let key = try DPoPKey.es256(), other = try DPoPKey.es256()
        let now = provider.clock.now
        let refresh = try #require(await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: now)).fields["refresh_token"] as? String)
        func use(_ token: String, proof: String?) async -> TestResponse {
            var headers = HTTPHeaders()
            if let proof { headers.add("DPoP", proof) }
            return await http.token([("grant_type", "refresh_token"), ("refresh_token", token), ("client_id", client.id)], headers: headers)
        }
        #expect(await use(refresh, proof: nil).oauthError == "invalid_dpop_proof")
        #expect(await use(refresh, proof: try other.proof("POST", Self.tokenURI, iat: now)).oauthError == "invalid_dpop_proof")
        let renewed = await use(refresh, proof: try key.proof("POST", Self.tokenURI, iat: now))
        #expect(renewed.status == .ok, "refused attempts did not spend the refresh token: \(renewed.text)")
        #expect(renewed.fields["token_type"] as? String == "DPoP")
        let next = try #require(renewed.fields["refresh_token"] as? String)
        #expect(await use(next, proof: nil).oauthError == "invalid_dpop_proof", "the rotated token stays bound")

        let (confidentialProvider, http2, confidential) = try await setUp()
        let theirs = try #require(await grant(http2, confidential, proof: try key.proof("POST", Self.tokenURI, iat: confidentialProvider.clock.now))
            .fields["refresh_token"] as? String)
        let plain = await http2.token([("grant_type", "refresh_token"), ("refresh_token", theirs)], headers: confidential.basic)
        #expect(plain.status == .ok)
        #expect(plain.fields["token_type"] as? String == "Bearer")
    }

    @Test func dpopJktAtTheAuthorizationEndpointBindsTheCode() async throws {
        let (provider, browser, client) = try await setUp()
        let key = try DPoPKey.es256(), other = try DPoPKey.es256()
        await browser.signIn("alice")
        let malformed = try await browser.authorize(authorizeParameters(client, scope: "openid profile", extra: [("dpop_jkt", "short")]))
        #expect(queryParameters(malformed.location)["error"] == "invalid_request")

        let code = try await browser.authorizationCode(authorizeParameters(client, scope: "openid profile", extra: [("dpop_jkt", key.thumbprint)]))
        func exchange(_ proof: String?) async -> TestResponse {
            var headers = client.basic
            if let proof { headers.add("DPoP", proof) }
            return await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)], headers: headers)
        }
        #expect(await exchange(nil).oauthError == "invalid_dpop_proof")
        #expect(await exchange(try other.proof("POST", Self.tokenURI, iat: provider.clock.now)).oauthError == "invalid_dpop_proof")
        let reply = await exchange(try key.proof("POST", Self.tokenURI, iat: provider.clock.now))
        #expect(reply.status == .ok, "\(reply.text)")
        #expect(reply.fields["token_type"] as? String == "DPoP")
    }

    @Test func serverNoncesAreRequiredWhenTurnedOnAndRotate() async throws {
        let (provider, http, client) = try await setUp(["PROVIDER_DPOP_NONCES": "1"])
        let key = try DPoPKey.es256()
        let first = await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: provider.clock.now))
        #expect(first.status == .badRequest)
        #expect(first.oauthError == "use_dpop_nonce")
        let nonce = try #require(first.headers["DPoP-Nonce"])
        let wrong = await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: provider.clock.now, nonce: "made-up"))
        #expect(wrong.oauthError == "use_dpop_nonce")

        let issued = await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: provider.clock.now, nonce: nonce))
        #expect(issued.status == .ok, "\(issued.text)")
        #expect(issued.headers["DPoP-Nonce"] != nil)
        let token = try #require(issued.fields["access_token"] as? String)

        let refused = await resource(http, token: token, proof: try key.proof("GET", Self.profileURI, iat: provider.clock.now, accessToken: token))
        #expect(refused.status == .unauthorized)
        #expect(refused.headers["WWW-Authenticate"]?.hasPrefix("DPoP error=\"use_dpop_nonce\"") == true)
        #expect(refused.headers["DPoP-Nonce"] != nil)
        #expect(await resource(http, token: token, proof: try key.proof("GET", Self.profileURI, iat: provider.clock.now, accessToken: token,
                                                                      nonce: nonce)).status == .ok)

        // Nonces rotate: ten minutes on, the old one is refused and a new one handed out.
        provider.clock.advance(700)
        let stale = await grant(http, client, proof: try key.proof("POST", Self.tokenURI, iat: provider.clock.now, nonce: nonce))
        #expect(stale.oauthError == "use_dpop_nonce")
        #expect(stale.headers["DPoP-Nonce"] != nil && stale.headers["DPoP-Nonce"] != nonce)
    }

    @Test func metadataAdvertisesTheProofAlgorithms() async throws {
        let (_, http, _) = try await setUp()
        #expect(await http.get("/.well-known/openid-configuration").fields["dpop_signing_alg_values_supported"] as? [String]
            == ["ES256", "RS256", "EdDSA"])
        let resource = await http.get("/.well-known/oauth-protected-resource").fields
        #expect(resource["dpop_signing_alg_values_supported"] as? [String] == ["ES256", "RS256", "EdDSA"])
        #expect(resource["dpop_bound_access_tokens_required"] as? Bool == false)
    }
}
