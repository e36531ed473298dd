import FakeProviders
import Foundation
import Security
import Testing
import Web

@Suite struct FacebookFakeTests {
    static let appID = "1234567890123456"
    static let secret = "facebook-app-secret"

    static func makeFake() throws -> FacebookFake {
        let fake = try FacebookFake()
        fake.addUser(id: "person-1", name: "Mark Example", email: "mark@example.com")
        return fake
    }

    static func code(_ fake: FacebookFake, appID: String = appID, redirect: String = callback) async throws -> String {
        let location = try await FakeBrowser.authorize(url(fake.baseURL, "/v25.0/dialog/oauth",
            [("client_id", appID), ("redirect_uri", redirect), ("state", "st-1"), ("response_type", "code"), ("scope", "email,public_profile")]))
        #expect(!location.contains("#"))
        #expect(FakeBrowser.queryItems(of: location)["state"] == "st-1")
        return try #require(FakeBrowser.queryItems(of: location)["code"])
    }

    static func exchange(_ fake: FacebookFake, code: String, appID: String = appID, secret: String = secret,
                         redirect: String = callback) async throws -> ClientResponse {
        try await http.send(.get(url(fake.baseURL, "/v25.0/oauth/access_token",
                                     [("client_id", appID), ("redirect_uri", redirect), ("client_secret", secret), ("code", code)])))
    }

    static func token(_ fake: FacebookFake, appID: String = appID, secret: String = secret) async throws -> String {
        let reply = try object(try await exchange(fake, code: try await code(fake, appID: appID), appID: appID, secret: secret))
        return try #require(reply["access_token"]?.stringValue)
    }

    static func me(_ fake: FacebookFake, token: String, proof: String?, version: String = "v25.0") async throws -> ClientResponse {
        var query = [("fields", "id,name,email,first_name,last_name,picture"), ("access_token", token)]
        if let proof { query.append(("appsecret_proof", proof)) }
        return try await http.send(.get(url(fake.baseURL, "/\(version)/me", query)))
    }

    static func graphError(_ response: ClientResponse) throws -> [String: JSONValue] {
        try #require(try object(response)["error"]?.objectValue)
    }

    @Test func exchangesCodeForShortLivedToken() async throws {
        try await using(try Self.makeFake()) { fake in
            let response = try await Self.exchange(fake, code: try await Self.code(fake))
            #expect(response.status == 200)
            let reply = try object(response)
            #expect(reply["token_type"] == "bearer")
            #expect(reply["expires_in"] == 3600)
            #expect(reply["access_token"]?.stringValue?.hasPrefix("EAA") == true)
            #expect(fake.requests(to: "/v25.0/dialog/oauth").first?.query["scope"] == "email,public_profile")
        }
    }

    @Test func refusesRedirectURIThatIsNotByteIdentical() async throws {
        try await using(try Self.makeFake()) { fake in
            let response = try await Self.exchange(fake, code: try await Self.code(fake), redirect: callback + "/")
            #expect(response.status == 400)
            let error = try Self.graphError(response)
            #expect(error["type"] == "OAuthException")
            #expect(error["code"] == 100)
        }
    }

    @Test func profileRequiresAppSecretProof() async throws {
        try await using(try Self.makeFake()) { fake in
            let token = try await Self.token(fake)
            let missing = try await Self.me(fake, token: token, proof: nil)
            #expect(missing.status == 400)
            #expect(try Self.graphError(missing)["type"] == "GraphMethodException")
            let wrong = try await Self.me(fake, token: token, proof: FacebookFake.appSecretProof(token: token, appSecret: "nope"))
            #expect(try Self.graphError(wrong)["message"]?.stringValue?.contains("appsecret_proof") == true)
            let right = try await Self.me(fake, token: token, proof: FacebookFake.appSecretProof(token: token, appSecret: Self.secret))
            #expect(right.status == 200)
            let profile = try object(right)
            #expect(profile["id"] == .string(FacebookFake.appScopedID(ofUser: "person-1", appID: Self.appID)))
            #expect(profile["email"] == "mark@example.com")
            #expect(profile["first_name"] == "Mark")
            #expect(profile["picture"]?.objectValue?["data"]?.objectValue?["url"] != nil)
            let sent = try #require(fake.requests(to: "/v25.0/me").last)
            #expect(sent.query["appsecret_proof"] == FacebookFake.appSecretProof(token: token, appSecret: Self.secret))
        }
    }

    @Test func userIDsAreAppScopedAndEmailMayBeAbsent() async throws {
        try await using(try Self.makeFake()) { fake in
            fake.addApp(id: "999", secret: "other-secret")
            fake.updateUser(id: "person-1") { $0.declinedPermissions = ["email"] }
            let ours = try await Self.token(fake)
            let theirs = try await Self.token(fake, appID: "999", secret: "other-secret")
            let ourProfile = try object(try await Self.me(fake, token: ours, proof: FacebookFake.appSecretProof(token: ours, appSecret: Self.secret)))
            let theirProfile = try object(try await Self.me(fake, token: theirs, proof: FacebookFake.appSecretProof(token: theirs, appSecret: "other-secret")))
            #expect(ourProfile["id"] != nil && ourProfile["id"] != theirProfile["id"])
            #expect(ourProfile["email"] == nil)
        }
    }

    @Test func exchangesForLongLivedTokenButNotOnceExpired() async throws {
        try await using(try Self.makeFake()) { fake in
            let short = try await Self.token(fake)
            let exchangeURL = { (token: String) in
                url(fake.baseURL, "/v25.0/oauth/access_token", [("grant_type", "fb_exchange_token"), ("client_id", Self.appID),
                                                                ("client_secret", Self.secret), ("fb_exchange_token", token)])
            }
            let long = try object(try await http.send(.get(exchangeURL(short))))
            #expect(long["expires_in"] == 5_184_000)
            #expect(long["access_token"] != .string(short))
            fake.expireToken(short)
            let refused = try await http.send(.get(exchangeURL(short)))
            #expect(refused.status == 400)
            #expect(try Self.graphError(refused)["code"] == 190)
        }
    }

    @Test func debugTokenReportsTheOwningApp() async throws {
        try await using(try Self.makeFake()) { fake in
            fake.addApp(id: "999", secret: "other-secret", name: "Someone Else")
            let ours = try await Self.token(fake)
            let theirs = try await Self.token(fake, appID: "999", secret: "other-secret")
            let debug = { (token: String) async throws -> [String: JSONValue] in
                let response = try await http.send(.get(url(fake.baseURL, "/debug_token",
                                                             [("input_token", token), ("access_token", "\(Self.appID)|\(Self.secret)")])))
                return try #require(try object(response)["data"]?.objectValue)
            }
            let ourData = try await debug(ours)
            #expect(ourData["app_id"] == .string(Self.appID))
            #expect(ourData["is_valid"] == true)
            #expect(ourData["user_id"] == .string(FacebookFake.appScopedID(ofUser: "person-1", appID: Self.appID)))
            #expect(try await debug(theirs)["app_id"] == "999")
            #expect(try await debug("EAAbogus")["is_valid"] == false)
        }
    }

    @Test func deletingPermissionsRevokesTheTokens() async throws {
        try await using(try Self.makeFake()) { fake in
            let token = try await Self.token(fake)
            let userID = FacebookFake.appScopedID(ofUser: "person-1", appID: Self.appID)
            let proof = FacebookFake.appSecretProof(token: token, appSecret: Self.secret)
            let response = try await http.send(ClientRequest(method: "DELETE", url: url(fake.baseURL, "/v25.0/\(userID)/permissions",
                                                                                       [("access_token", token), ("appsecret_proof", proof)])))
            #expect(try object(response)["success"] == true)
            #expect(!fake.isTokenActive(token))
            #expect(try Self.graphError(try await Self.me(fake, token: token, proof: proof))["code"] == 190)
        }
    }

    @Test func refusesUnsupportedGraphVersions() async throws {
        try await using(try Self.makeFake()) { fake in
            let token = try await Self.token(fake)
            let proof = FacebookFake.appSecretProof(token: token, appSecret: Self.secret)
            let old = try await Self.me(fake, token: token, proof: proof, version: "v2.12")
            #expect(old.status == 400)
            #expect(try Self.graphError(old)["code"] == 2635)
            fake.supportedVersions.insert("v24.0")
            #expect(try await Self.me(fake, token: token, proof: proof, version: "v24.0").status == 200)
        }
    }

    @Test func denyRedirectsWithUserDenied() async throws {
        try await using(try Self.makeFake()) { fake in
            fake.inject(.deny, on: .authorize)
            let location = try await FakeBrowser.authorize(url(fake.baseURL, "/v25.0/dialog/oauth",
                                                               [("client_id", Self.appID), ("redirect_uri", callback), ("state", "s")]))
            let items = FakeBrowser.queryItems(of: location)
            #expect(items["error"] == "access_denied")
            #expect(items["error_reason"] == "user_denied")
            #expect(items["state"] == "s")
        }
    }
}
