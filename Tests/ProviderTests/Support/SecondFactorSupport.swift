import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// An authenticator app as a test holds it: the secret read off the set-up page, and the
/// recovery codes shown once.
struct TestAuthenticatorApp {
    let secret: [UInt8]
    let recoveryCodes: [String]

    /// The code the app shows at `time`.
    func code(at time: Int) -> String { TOTP(secret: secret).code(at: time) }
}

extension TestClient {
    /// Sets up an authenticator app for the signed-in browser, through the security page, and
    /// confirms it with the current code.
    func enrollAuthenticatorApp(at time: Int) async throws -> TestAuthenticatorApp {
        let token = await csrfToken(from: "/account/security")
        let setup = await post("/account/totp/setup", form: [("csrf_token", token)])
        try #require(setup.status == .ok, "set-up page: \(setup.status.code)")
        #expect(setup.text.contains("<svg"), "the QR code is on the page")
        let text = try #require(Self.element(id: "totp-secret", in: setup.text))
        let secret = try #require(Base32.decode(text.replacingOccurrences(of: " ", with: "")))
        let confirm = await post("/account/totp/confirm", form: [("csrf_token", token), ("code", TOTP(secret: secret).code(at: time))])
        try #require(confirm.status == .ok, "confirmation: \(confirm.status.code) \(confirm.text.prefix(300))")
        return TestAuthenticatorApp(secret: secret, recoveryCodes: Self.recoveryCodes(in: confirm.text))
    }

    /// The text of the element with `id` (no nested tags).
    static func element(id: String, in html: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\">") else { return nil }
        let rest = html[start.upperBound...]
        guard let end = rest.firstIndex(of: "<") else { return nil }
        return String(rest[..<end])
    }

    /// The recovery codes listed on a page.
    static func recoveryCodes(in html: String) -> [String] {
        html.components(separatedBy: "<li><code>").dropFirst().compactMap { $0.components(separatedBy: "</code>").first }
    }

    /// Answers the second-factor page with `code` (`method`: `totp` or `recovery`).
    @discardableResult
    func secondFactor(_ code: String, method: String = "totp") async -> TestResponse {
        let token = await csrfToken(from: "/login/second-factor")
        return await post("/login/second-factor", form: [("csrf_token", token), ("method", method), ("code", code)])
    }

    /// The claims of the id_token a code exchange returns for `code`.
    func idTokenClaims(code: String, client: TestOAuthClient, provider: TestProvider, nonce: String? = nil) async throws -> Claims {
        let reply = await token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", client.redirectURI)],
                                headers: client.basic)
        try #require(reply.status == .ok, "exchange: \(reply.text)")
        let idToken = try JWT.parse(try #require(reply.fields["id_token"] as? String))
        return try idToken.verify(using: provider.services.signingKeys.published, issuer: TestProvider.issuer, audience: client.id,
                                  now: provider.clock.now, nonce: nonce)
    }
}
