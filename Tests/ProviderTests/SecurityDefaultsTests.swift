import Foundation
import Identity
import Testing
import Web
import WebTesting
@testable import Provider

/// RFC 9700 / OAuth 2.1 defaults (issue 15, point 1): PKCE for every new authorization-code
/// client, plain http only on loopback (any port there), no password grant unless asked for
/// (with a warning), and never a bearer token in a URL.
@Suite struct SecurityDefaultsTests {
    func signedIn(requirePKCE: Bool = true, redirectURIs: [String] = ["https://app.test/callback"])
        async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(redirectURIs: redirectURIs, skipConsent: true, requirePKCE: requirePKCE)
        let browser = provider.browser()
        await browser.signIn("alice")
        return (provider, browser, client)
    }

    // MARK: PKCE

    @Test func newClientsRequirePKCEUnlessToldOtherwise() async throws {
        let provider = try await TestProvider.make()
        let registered = try await provider.services.clients.register(NewClient(name: "New", redirectURIs: ["https://new.test/cb"]))
        #expect(registered.client.requiresPKCE)
        #expect(registered.client.mustUsePKCE)
        #expect(!GrantType.defaultForNewClients.contains(.password))
        #expect(!registered.client.allows(.password))
    }

    @Test func aConfidentialClientWithoutAChallengeIsRefused() async throws {
        let (_, browser, client) = try await signedIn()
        let response = await browser.get(authorizePath(authorizeParameters(client)))
        #expect(response.status == .found)
        let query = queryParameters(response.location)
        #expect(query["error"] == "invalid_request")
        #expect(query["error_description"]?.contains("PKCE") == true)
        #expect(query["state"] == "xyz-state")
    }

    @Test func plainOrMalformedChallengesAreRefused() async throws {
        let (_, browser, client) = try await signedIn()
        let bad: [[(String, String)]] = [
            [("code_challenge", PKCEPair().verifier), ("code_challenge_method", "plain")],
            [("code_challenge", PKCEPair().challenge)],
            [("code_challenge_method", "S256")],
            [("code_challenge", "short"), ("code_challenge_method", "S256")],
        ]
        for extra in bad {
            let response = await browser.get(authorizePath(authorizeParameters(client, extra: extra)))
            #expect(queryParameters(response.location)["error"] == "invalid_request", "\(extra)")
        }
    }

    @Test func withS256TheFlowWorksAndTheVerifierIsChecked() async throws {
        let (_, browser, client) = try await signedIn()
        let pkce = PKCEPair()
        let code = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce))
        let missing = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                                          headers: client.basic)
        #expect(missing.oauthError == "invalid_grant")
        let second = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce))
        let wrong = await browser.token([("grant_type", "authorization_code"), ("code", second), ("redirect_uri", client.redirectURI),
                                         ("code_verifier", PKCEPair().verifier)], headers: client.basic)
        #expect(wrong.oauthError == "invalid_grant")
        let third = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce))
        let right = await browser.token([("grant_type", "authorization_code"), ("code", third), ("redirect_uri", client.redirectURI),
                                         ("code_verifier", pkce.verifier)], headers: client.basic)
        #expect(right.status == .ok)
    }

    @Test func anOldConfidentialClientKeepsWorkingUntilSwitchedOn() async throws {
        let (provider, browser, client) = try await signedIn(requirePKCE: false)
        _ = try await browser.authorizationCode(authorizeParameters(client))
        #expect(try await provider.services.clients.set(.requirePKCE, to: true, clientID: client.id))
        let response = await browser.get(authorizePath(authorizeParameters(client)))
        #expect(queryParameters(response.location)["error"] == "invalid_request")
        #expect(try await provider.services.clients.set(.requirePKCE, to: true, clientID: "no-such-client") == false)
    }

    /// Migration 007's choice: rows written without the column (as every row before it was)
    /// read as "not required", and public clients still need PKCE whatever the column says.
    @Test func rowsFromBeforeTheMigrationKeepTheirBehaviour() async throws {
        let provider = try await TestProvider.make()
        _ = try await provider.services.database.write { db in
            try db.execute("""
                INSERT INTO clients (client_id, secret_hash, name, redirect_uris, grant_types, scopes, confidential, created_at)
                VALUES ('oldconf', 'x', 'Old', 'https://old.test/cb', 'authorization_code', 'openid', 1, 0),
                       ('oldpub', NULL, 'Old public', 'https://old.test/cb', 'authorization_code', 'openid', 0, 0)
                """)
        }
        let confidential = try #require(try await provider.services.clients.find("oldconf"))
        let publicClient = try #require(try await provider.services.clients.find("oldpub"))
        #expect(!confidential.mustUsePKCE)
        #expect(publicClient.mustUsePKCE)
    }

    // MARK: Redirect URIs

    @Test func plainHTTPRedirectURIsOnlyOnLoopback() {
        for good in ["http://127.0.0.1/cb", "http://127.0.0.1:8080/cb", "http://[::1]:9/cb", "http://localhost/cb", "https://app.test/cb",
                     "com.example.app:/oauth"] {
            #expect(NewClient.redirectURIProblem(good) == nil, "\(good)")
        }
        for bad in ["http://app.test/cb", "http://127.0.0.1.evil.test/cb", "http://localhost.evil.test/cb", "http://10.0.0.1/cb",
                    "http://user@127.0.0.1/cb", "javascript:alert(1)", "data:text/html,hi", "https://app.test/cb#x"] {
            #expect(NewClient.redirectURIProblem(bad) != nil, "\(bad)")
        }
    }

    @Test func registeringANonLoopbackHTTPRedirectURIIsRefused() async throws {
        let provider = try await TestProvider.make()
        await #expect(throws: FieldErrors.self) {
            _ = try await provider.services.clients.register(NewClient(name: "Bad", redirectURIs: ["http://app.test/cb"]))
        }
        #expect(try await provider.count("clients") == 0)
    }

    @Test func loopbackRedirectURIsMatchOnAnyPort() async throws {
        let (_, browser, client) = try await signedIn(redirectURIs: ["http://127.0.0.1/callback", "http://[::1]:1/cb"])
        let pkce = PKCEPair()
        for uri in ["http://127.0.0.1:53111/callback", "http://127.0.0.1/callback", "http://[::1]:4000/cb"] {
            let code = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce, redirectURI: uri))
            let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", uri),
                                             ("code_verifier", pkce.verifier)], headers: client.basic)
            #expect(reply.status == .ok, "\(uri)")
        }
        // The port is free; nothing else is.
        for uri in ["http://127.0.0.1:53111/other", "http://localhost:53111/callback", "https://127.0.0.1:53111/callback",
                    "http://127.0.0.1:53111/callback?x=1", "http://127.0.0.1:53111/callback#f", "http://127.0.0.2:53111/callback"] {
            let response = await browser.get(authorizePath(authorizeParameters(client, pkce: pkce, redirectURI: uri)))
            #expect(response.status == .badRequest, "\(uri)")
            #expect(response.location == nil, "\(uri)")
        }
    }

    @Test func theCodeIsBoundToThePortItWasSentTo() async throws {
        let (_, browser, client) = try await signedIn(redirectURIs: ["http://127.0.0.1/callback"])
        let pkce = PKCEPair()
        let code = try await browser.authorizationCode(authorizeParameters(client, pkce: pkce, redirectURI: "http://127.0.0.1:5000/callback"))
        let reply = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://127.0.0.1:6000/callback"),
                                         ("code_verifier", pkce.verifier)], headers: client.basic)
        #expect(reply.oauthError == "invalid_grant")
    }

    // MARK: Password grant

    @Test func enablingThePasswordGrantOnTheAdminPageWarns() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("root", admin: true)
        let browser = provider.browser()
        await browser.signIn("root")
        let form = await browser.get("/admin/clients")
        #expect(form.text.contains("name=\"require_pkce\" checked"))
        #expect(!form.text.contains("value=\"password\" checked"))
        let token = try #require(TestClient.hiddenField("csrf_token", in: form.text))
        let created = await browser.post("/admin/clients", form: [
            ("csrf_token", token), ("name", "Legacy"), ("redirect_uris", "https://legacy.test/cb"), ("grant_types", "password"),
            ("scopes", "openid"), ("confidential", "on"),
        ])
        #expect(created.status == .created)
        #expect(created.text.contains("RFC 9700 §2.4"))
        #expect(provider.logs.lines.contains { $0.contains("password_grant_enabled") })

        let plain = await browser.post("/admin/clients", form: [
            ("csrf_token", token), ("name", "Modern"), ("redirect_uris", "https://modern.test/cb"), ("grant_types", "authorization_code"),
            ("scopes", "openid"), ("confidential", "on"), ("require_pkce", "on"),
        ])
        #expect(plain.status == .created)
        #expect(!plain.text.contains("RFC 9700"))
        let rows = try await provider.query("SELECT name, require_pkce FROM clients ORDER BY name")
        #expect(try rows.map { try $0.bool("require_pkce") } == [false, true])
    }

    // MARK: Bearer tokens in URLs

    @Test func aTokenInTheQueryStringIsNeverAccepted() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password])
        let (access, _) = try await provider.userTokens(client)
        let http = provider.browser()
        for path in ["/oauth/userinfo", "/api/profile"] {
            for query in ["access_token=\(access)", "x=1&access_token=\(access)", "access_token=", "access_token=%zz"] {
                for headers: HTTPHeaders in [[:], ["Authorization": "Bearer \(access)"]] {
                    let reply = await http.get("\(path)?\(query)", headers: headers)
                    #expect(reply.status == .badRequest, "\(path)?\(query)")
                    #expect(reply.oauthError == "invalid_request")
                    #expect(reply.headers["WWW-Authenticate"]?.hasPrefix("Bearer error=\"invalid_request\"") == true)
                }
            }
        }
        let post = await http.post("/oauth/userinfo?access_token=\(access)", form: [])
        #expect(post.status == .badRequest)
        // The header alone still works.
        #expect(await http.get("/api/profile", headers: ["Authorization": "Bearer \(access)"]).status == .ok)
    }
}
