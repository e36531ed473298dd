import FakeProviders
import Foundation
import Security
import Testing
import Web

/// A front end (a mobile app, a single-page app) getting tokens from a fake provider on its own,
/// as it would before calling `POST /api/auth/social`: authorize in the browser, exchange the
/// code. `clientID` chooses whose app the token is issued to: the site's, or another one.
enum APIFrontEnd {
    /// Where the front end's own callback would be (never opened: the code is read off the redirect).
    static let redirectURI = "http://frontend.test/callback"

    /// What a front end holds after signing in at a provider.
    struct Tokens {
        var accessToken: String
        var idToken: String?
    }

    /// Why minting failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func code(from authorizeURL: String) async throws -> String {
        let callback = try await FakeBrowser.authorize(authorizeURL)
        guard let code = FakeBrowser.queryItems(of: callback)["code"] else { throw Failure(description: "no code in \(callback)") }
        return code
    }

    static func json(_ response: ClientResponse) throws -> JSONValue {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)) else {
            throw Failure(description: "token reply is not JSON: HTTP \(response.status) \(response.text.prefix(200))")
        }
        return json
    }

    static func tokens(_ response: ClientResponse) throws -> Tokens {
        let reply = try json(response)
        guard let access = reply.objectValue?["access_token"]?.stringValue else {
            throw Failure(description: "no access_token: \(response.text.prefix(300))")
        }
        return Tokens(accessToken: access, idToken: reply.objectValue?["id_token"]?.stringValue)
    }

    /// A GitHub token for client `clientID`.
    static func gitHub(_ fake: GitHubFake, clientID: String = "github-client-id", secret: String = "github-client-secret") async throws -> Tokens {
        let query = ClientRequest.formEncoded([("client_id", clientID), ("redirect_uri", redirectURI), ("scope", "read:user user:email"), ("state", "s")])
        let code = try await code(from: "\(fake.webBaseURL)/login/oauth/authorize?\(query)")
        let response = try await CurlHTTPClient().send(.post("\(fake.webBaseURL)/login/oauth/access_token", form: [
            ("client_id", clientID), ("client_secret", secret), ("code", code), ("redirect_uri", redirectURI),
        ], headers: ["Accept": "application/json"]))
        return try tokens(response)
    }

    /// A Facebook user token for app `appID`.
    static func facebook(_ fake: FacebookFake, appID: String = FacebookFake.appID, secret: String = "facebook-app-secret") async throws -> Tokens {
        let version = fake.graphVersion
        let query = ClientRequest.formEncoded([("client_id", appID), ("redirect_uri", redirectURI), ("state", "s"), ("response_type", "code"),
                                               ("scope", "email,public_profile")])
        let code = try await code(from: "\(fake.wwwBaseURL)/\(version)/dialog/oauth?\(query)")
        let exchange = ClientRequest.formEncoded([("client_id", appID), ("redirect_uri", redirectURI), ("client_secret", secret), ("code", code)])
        return try tokens(try await CurlHTTPClient().send(.get("\(fake.graphBaseURL)/\(version)/oauth/access_token?\(exchange)")))
    }

    /// A LinkedIn token for client `clientID`.
    static func linkedIn(_ fake: LinkedInFake, clientID: String = "linkedin-client-id", secret: String = "linkedin-client-secret") async throws -> Tokens {
        let query = ClientRequest.formEncoded([("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("state", "s"),
                                               ("scope", "openid profile email")])
        let code = try await code(from: "\(fake.wwwBaseURL)/oauth/v2/authorization?\(query)")
        return try tokens(try await CurlHTTPClient().send(.post("\(fake.wwwBaseURL)/oauth/v2/accessToken", form: [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("client_id", clientID), ("client_secret", secret),
        ])))
    }

    /// An OpenID Connect access token and id_token for client `clientID`.
    static func openID(_ fake: OIDCFake, clientID: String = "oidc-client-id", secret: String = "oidc-client-secret") async throws -> Tokens {
        let query = ClientRequest.formEncoded([("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("state", "s"),
                                               ("scope", "openid profile email"), ("nonce", "front-end-nonce")])
        let code = try await code(from: "\(fake.baseURL)/authorize?\(query)")
        return try tokens(try await CurlHTTPClient().send(.post("\(fake.baseURL)/token", form: [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("client_id", clientID), ("client_secret", secret),
        ])))
    }
}

extension SocialSite {
    /// The requests the fake of `kind` received for its profile endpoint.
    func profileRequests(_ kind: SocialProviderKind) -> [RecordedRequest] {
        switch kind {
        case .github: github.requests(to: "/user")
        case .facebook: facebook.requests(to: "/\(facebook.graphVersion)/me")
        case .linkedin: linkedIn.requests(to: "/v2/userinfo")
        case .oidc: oidc.requests(to: "/userinfo")
        case .sibling: []  // the real provider keeps no request log
        }
    }
}
