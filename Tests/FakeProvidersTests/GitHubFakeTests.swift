import FakeProviders
import Foundation
import Security
import Testing
import Web

@Suite struct GitHubFakeTests {
    static let id = "github-client-id"
    static let secret = "github-client-secret"

    static func makeFake(kind: GitHubFake.ClientKind = .oauthApp) throws -> GitHubFake {
        let fake = try GitHubFake(kind: kind)
        fake.addUser(id: 583231, login: "octocat", name: "The Octocat",
                     emails: [("octocat@example.com", true, true), ("old@example.com", false, false)])
        return fake
    }

    static func code(_ fake: GitHubFake, scope: String = "read:user user:email", pkce: PKCEPair? = nil) async throws -> String {
        var query = [("client_id", id), ("redirect_uri", callback), ("scope", scope), ("state", "st-1")]
        if let pkce { query += [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")] }
        let items = try await approve(url(fake.baseURL, "/login/oauth/authorize", query))
        #expect(items["state"] == "st-1")
        return try #require(items["code"])
    }

    static func exchange(_ fake: GitHubFake, code: String, json: Bool, extra: [(String, String)] = [],
                         secret: String = secret) async throws -> ClientResponse {
        try await http.send(.post(fake.baseURL + "/login/oauth/access_token",
                                  form: [("client_id", id), ("client_secret", secret), ("code", code), ("redirect_uri", callback)] + extra,
                                  headers: json ? ["Accept": "application/json"] : [:]))
    }

    static func token(_ fake: GitHubFake, scope: String = "read:user user:email") async throws -> String {
        let reply = try object(try await exchange(fake, code: try await code(fake, scope: scope), json: true))
        return try #require(reply["access_token"]?.stringValue)
    }

    static func api(_ fake: GitHubFake, _ path: String, token: String, userAgent: String? = nil) async throws -> ClientResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)", "Accept": "application/vnd.github+json",
                                    "X-GitHub-Api-Version": "2022-11-28"]
        if let userAgent { headers.add("User-Agent", userAgent) }
        return try await http.send(.get(fake.baseURL + path, headers: headers))
    }

    @Test func tokenReplyIsFormEncodedWithoutAcceptJSON() async throws {
        try await using(try Self.makeFake()) { fake in
            let response = try await Self.exchange(fake, code: try await Self.code(fake), json: false)
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
            let reply = try form(response)
            #expect(reply["access_token"]?.hasPrefix("gho_") == true)
            #expect(reply["scope"] == "read:user,user:email")
            #expect(reply["token_type"] == "bearer")
        }
    }

    @Test func tokenReplyIsJSONWithAcceptJSONAndVerifiesPKCE() async throws {
        try await using(try Self.makeFake()) { fake in
            let pkce = PKCEPair()
            let wrong = try await Self.exchange(fake, code: try await Self.code(fake, pkce: pkce), json: true,
                                                extra: [("code_verifier", PKCEPair().verifier)])
            #expect(try object(wrong)["error"] == "bad_verification_code")
            let code = try await Self.code(fake, pkce: pkce)
            let response = try await Self.exchange(fake, code: code, json: true, extra: [("code_verifier", pkce.verifier)])
            #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
            let reply = try object(response)
            #expect(reply["access_token"]?.stringValue?.hasPrefix("gho_") == true)
            #expect(reply["refresh_token"] == nil && reply["expires_in"] == nil)
            let sent = try #require(fake.requests(to: "/login/oauth/access_token").last)
            #expect(sent.form["code_verifier"] == pkce.verifier)
        }
    }

    @Test func tokenErrorsComeBackAsHTTP200() async throws {
        try await using(try Self.makeFake()) { fake in
            let badCode = try await Self.exchange(fake, code: "nonsense", json: false)
            #expect(badCode.status == 200)
            #expect(try form(badCode)["error"] == "bad_verification_code")
            let badSecret = try await Self.exchange(fake, code: try await Self.code(fake), json: true, secret: "wrong")
            #expect(badSecret.status == 200)
            #expect(try object(badSecret)["error"] == "incorrect_client_credentials")
            let mismatch = try await http.send(.post(fake.baseURL + "/login/oauth/access_token",
                                                     form: [("client_id", Self.id), ("client_secret", Self.secret),
                                                            ("code", try await Self.code(fake)), ("redirect_uri", callback + "/other")],
                                                     headers: ["Accept": "application/json"]))
            #expect(try object(mismatch)["error"] == "redirect_uri_mismatch")
        }
    }

    @Test func rejectsReusedAndExpiredAuthorizationCodes() async throws {
        try await using(try Self.makeFake()) { fake in
            let code = try await Self.code(fake)
            #expect(try object(try await Self.exchange(fake, code: code, json: true))["access_token"] != nil)
            #expect(try object(try await Self.exchange(fake, code: code, json: true))["error"] == "bad_verification_code")
            let stale = try await Self.code(fake)
            fake.expireAuthorizationCodes()
            #expect(try object(try await Self.exchange(fake, code: stale, json: true))["error"] == "bad_verification_code")
        }
    }

    @Test func apiRequiresUserAgentAndHidesPrivateEmail() async throws {
        try await using(try Self.makeFake()) { fake in
            let token = try await Self.token(fake)
            let anonymous = try await Self.api(fake, "/user", token: token, userAgent: "")
            #expect(anonymous.status == 403)
            #expect(anonymous.text.contains("User-Agent"))
            let response = try await Self.api(fake, "/user", token: token, userAgent: "Latchkey-Test")
            #expect(response.status == 200)
            let user = try object(response)
            #expect(user["id"] == 583231)
            #expect(user["login"] == "octocat")
            #expect(user["email"] == .null)
            #expect(try await Self.api(fake, "/user", token: "gho_bogus").status == 401)
            let legacyScheme = try await http.send(.get(fake.baseURL + "/user", headers: ["Authorization": "token \(token)"]))
            #expect(legacyScheme.status == 200)
        }
    }

    @Test func emailsNeedTheUserEmailScope() async throws {
        try await using(try Self.makeFake()) { fake in
            let scoped = try await Self.api(fake, "/user/emails", token: try await Self.token(fake))
            let list = try #require(try scoped.json(JSONValue.self).arrayValue)
            #expect(list.count == 2)
            #expect(list.first?.objectValue?["primary"] == true && list.first?.objectValue?["verified"] == true)
            #expect(list.first?.objectValue?["visibility"] == "private")
            #expect(try await Self.api(fake, "/user/emails", token: try await Self.token(fake, scope: "read:user")).status == 404)
        }
    }

    @Test func gitHubAppTokensExpireAndRefreshTokensRotate() async throws {
        try await using(try Self.makeFake(kind: .gitHubApp)) { fake in
            let first = try object(try await Self.exchange(fake, code: try await Self.code(fake), json: true))
            #expect(first["access_token"]?.stringValue?.hasPrefix("ghu_") == true)
            #expect(first["expires_in"] == 28800)
            let refresh = try #require(first["refresh_token"]?.stringValue)
            #expect(refresh.hasPrefix("ghr_"))
            let refreshForm = [("client_id", Self.id), ("client_secret", Self.secret), ("grant_type", "refresh_token"), ("refresh_token", refresh)]
            let second = try form(try await http.send(.post(fake.baseURL + "/login/oauth/access_token", form: refreshForm)))
            #expect(second["access_token"]?.hasPrefix("ghu_") == true)
            #expect(second["refresh_token"] != refresh)
            let replay = try form(try await http.send(.post(fake.baseURL + "/login/oauth/access_token", form: refreshForm)))
            #expect(replay["error"] == "bad_refresh_token")
            let expired = try #require(first["access_token"]?.stringValue)
            fake.expireToken(expired)
            #expect(try await Self.api(fake, "/user", token: expired).status == 401)
        }
    }

    @Test func checksAndRevokesTokensForItsOwnAppOnly() async throws {
        try await using(try Self.makeFake()) { fake in
            fake.addClient(id: "other-app", secret: "other-secret")
            let token = try await Self.token(fake)
            let body = Array("{\"access_token\":\"\(token)\"}".utf8)
            let check = try await http.send(.postJSON(fake.baseURL + "/applications/\(Self.id)/token", json: body,
                                                      headers: ["Authorization": basic(Self.id, Self.secret)]))
            #expect(check.status == 200)
            let info = try object(check)
            #expect(info["app"]?.objectValue?["client_id"] == .string(Self.id))
            #expect(info["user"]?.objectValue?["id"] == 583231)
            let foreign = try await http.send(.postJSON(fake.baseURL + "/applications/other-app/token", json: body,
                                                        headers: ["Authorization": basic("other-app", "other-secret")]))
            #expect(foreign.status == 404)
            let revoke = try await http.send(ClientRequest(method: "DELETE", url: fake.baseURL + "/applications/\(Self.id)/grant",
                                                           headers: ["Authorization": basic(Self.id, Self.secret),
                                                                     "Content-Type": "application/json"], body: body))
            #expect(revoke.status == 204)
            #expect(!fake.isTokenActive(token))
            #expect(try await Self.api(fake, "/user", token: token).status == 401)
        }
    }

    @Test func denyRedirectsBackWithAccessDenied() async throws {
        try await using(try Self.makeFake()) { fake in
            fake.inject(.deny, on: .authorize)
            let items = try await approve(url(fake.baseURL, "/login/oauth/authorize",
                                              [("client_id", Self.id), ("redirect_uri", callback), ("state", "st-9")]))
            #expect(items["error"] == "access_denied")
            #expect(items["state"] == "st-9")
            #expect(items["code"] == nil)
        }
    }

    @Test func nextAuthorizationUserChoosesWhoApproves() async throws {
        try await using(try Self.makeFake()) { fake in
            fake.addUser(id: 42, login: "second")
            fake.nextAuthorizationUser = 42
            let user = try object(try await Self.api(fake, "/user", token: try await Self.token(fake)))
            #expect(user["login"] == "second")
        }
    }
}
