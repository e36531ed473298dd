import Foundation
import IdentityWeb
import Security
import Synchronization
import Testing
import Web
import WebTesting

/// A message the provider's outbox handed over, decoded.
struct DeliveredMail: Sendable {
    let to: [String]
    /// The text part.
    let text: String
    /// The whole message as sent.
    let raw: String

    /// The `Subject` header.
    var subject: String? {
        raw.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst("Subject: ".count)) }
    }

    /// The reset link's path and query, if the text has one.
    var resetPath: String? {
        text.range(of: #"/password/reset\?token=[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(text[$0]) }
    }

    /// The verification code, if the text has one.
    var code: String? {
        text.range(of: #"[A-Z]{4}-[A-Z]{4}"#, options: .regularExpression).map { String(text[$0]) }
    }
}

extension TestProvider {
    /// Delivers what the outbox holds now, as the delivery loop would, and returns it.
    func deliverMail() async throws -> [DeliveredMail] {
        let delivered = Mutex<[DeliveredMail]>([])
        try await #require(services.core.outbox).deliverDue(database: services.database) { _, to, data in
            let raw = String(decoding: data, as: UTF8.self)
            delivered.withLock { $0.append(DeliveredMail(to: to, text: ConsoleMailTransport.plainText(raw) ?? "", raw: raw)) }
        }
        return delivered.withLock { $0 }
    }

    /// The code in the newest verification mail waiting in the outbox.
    func mailedCode() async throws -> String {
        try #require(try await deliverMail().compactMap(\.code).last, "no code was mailed")
    }

    /// The claims of an id_token issued to `client` for whoever `browser` is signed in as
    /// (through the code flow), and the access token that came with it.
    func idToken(_ browser: TestClient, client: TestOAuthClient) async throws -> (claims: Claims, access: String) {
        let code = try await browser.authorizationCode(authorizeParameters(client))
        let fields = await browser.token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                                         headers: client.basic).fields
        let idToken = try JWT.parse(try #require(fields["id_token"] as? String))
        let claims = try idToken.verify(using: services.signingKeys.published, issuer: Self.issuer, audience: client.id, now: clock.now,
                                           nonce: nil)
        return (claims, try #require(fields["access_token"] as? String))
    }

    /// What `/oauth/userinfo` says of the holder of `accessToken`.
    func userinfo(_ accessToken: String) async -> [String: Any] {
        await browser().get("/oauth/userinfo", headers: ["Authorization": "Bearer \(accessToken)"]).fields
    }
}

extension TestClient {
    /// Fetches `page` for its CSRF token, then posts `fields` with it to `path`.
    @discardableResult
    func submit(_ path: String, _ fields: [(String, String)], tokenFrom page: String) async -> TestResponse {
        let token = await csrfToken(from: page)
        return await post(path, form: [("csrf_token", token)] + fields)
    }

    /// Creates an account through the sign-up form (signed in afterwards).
    @discardableResult
    func signUp(_ username: String, password: String = TestProvider.password) async -> TestResponse {
        await submit("/signup", [("username", username), ("email", "\(username)@example.com"), ("password", password),
                                 ("password_confirmation", password)], tokenFrom: "/signup")
    }
}

extension TestResponse {
    /// The flash messages on a page.
    var flashes: [String] {
        text.components(separatedBy: "role=\"status\">").dropFirst().compactMap { piece in
            piece.range(of: "</div>").map { String(piece[..<$0.lowerBound]) }
        }
    }
}
