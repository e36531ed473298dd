import FakeAuthenticator
import Foundation
import Identity
import Security
import Synchronization
import Testing
import Web
import WebTesting

/// A clock a test moves by hand, so TOTP codes and the second step's expiry are predictable.
final class TestClock: Sendable {
    private let time: Mutex<Int>
    init(_ start: Int = 1_800_000_000) { time = Mutex(start) }
    var now: Int { time.withLock { $0 } }
    func advance(_ seconds: Int) { time.withLock { $0 += seconds } }
    var clock: Clock { Clock { [self] in now } }
}

/// The site passkey tests run against: a fixed origin, so the fake browser knows what to claim.
enum MFASite {
    static let origin = "http://latchkey.test"
    static let rpID = "latchkey.test"

    static func make(clock: TestClock? = nil) async throws -> TestSite {
        try await TestSite.make(["BASE_URL": origin], clock: clock?.clock ?? .system)
    }
}

/// The JSON the passkey endpoints answer.
struct PasskeyAnswer: Decodable {
    let redirect: String?
    let error: String?
}

extension TestResponse {
    /// The options JSON's challenge and (for registration) user handle.
    var ceremony: (challenge: [UInt8], userHandle: [UInt8]?)? {
        guard let object = jsonObject(), let challenge = (object["challenge"] as? String).flatMap(Base64URL.decode) else { return nil }
        let handle = ((object["user"] as? [String: Any])?["id"] as? String).flatMap(Base64URL.decode)
        return (challenge, handle)
    }

    var passkeyAnswer: PasskeyAnswer? { try? json(PasskeyAnswer.self) }
}

extension TestClient {
    /// POSTs `body` as JSON with the CSRF token of the form page at `tokenFrom`.
    func postJSON(_ path: String, bytes body: [UInt8], tokenFrom page: String) async -> TestResponse {
        let token = await csrfToken(from: page)
        return await postJSON(path, json: String(decoding: body, as: UTF8.self), headers: ["X-CSRF-Token": token])
    }

    /// The options for a ceremony (`/account/passkeys/options`, `/login/passkey/options`, …).
    func passkeyOptions(_ path: String, tokenFrom page: String) async throws -> (challenge: [UInt8], userHandle: [UInt8]?) {
        let response = await postJSON(path, bytes: Array("{}".utf8), tokenFrom: page)
        #expect(response.status == .ok, "\(path): \(response.text)")
        return try #require(response.ceremony)
    }

    /// Adds a passkey from the account page with `authenticator`; answers the finishing response.
    @discardableResult
    func addPasskey(_ authenticator: SoftwareAuthenticator, name: String = "Laptop",
                    tampering: Tampering = Tampering()) async throws -> TestResponse {
        let options = try await passkeyOptions("/account/passkeys/options", tokenFrom: "/account")
        let registration = try authenticator.register(rpID: MFASite.rpID, challenge: options.challenge,
                                                      userHandle: try #require(options.userHandle), tampering: tampering)
        return await postJSON("/account/passkeys?name=\(name)", bytes: registration.json, tokenFrom: "/account")
    }

    /// Signs in with a passkey alone, from the sign-in page.
    @discardableResult
    func signInWithPasskey(_ authenticator: SoftwareAuthenticator, tampering: Tampering = Tampering()) async throws -> TestResponse {
        let options = try await passkeyOptions("/login/passkey/options", tokenFrom: "/login")
        let assertion = try authenticator.authenticate(rpID: MFASite.rpID, challenge: options.challenge, tampering: tampering)
        return await postJSON("/login/passkey", bytes: assertion.json, tokenFrom: "/login")
    }

    /// Answers the second step with a passkey.
    @discardableResult
    func secondFactorPasskey(_ authenticator: SoftwareAuthenticator, tampering: Tampering = Tampering()) async throws -> TestResponse {
        let options = try await passkeyOptions("/login/second-factor/passkey/options", tokenFrom: "/login/second-factor")
        let assertion = try authenticator.authenticate(rpID: MFASite.rpID, challenge: options.challenge, tampering: tampering)
        return await postJSON("/login/second-factor/passkey", bytes: assertion.json, tokenFrom: "/login/second-factor")
    }

    /// Answers the second step with a code (`otp` or `recovery`).
    @discardableResult
    func secondFactorCode(_ code: String, method: String = "otp") async -> TestResponse {
        await submit("/login/second-factor", [("method", method), ("code", code)], tokenFrom: "/login/second-factor")
    }

    /// Sets up the authenticator app from the account page; answers its secret (confirmed at `clock`'s time).
    func enableAuthenticatorApp(at clock: TestClock) async throws -> [UInt8] {
        let start = await submit("/account/totp", [], tokenFrom: "/account")
        #expect(start.headers["Location"] == "/account/totp")
        let page = await get("/account/totp")
        let secret = try #require(Self.totpSecret(in: page.text))
        let confirm = await submit("/account/totp/confirm", [("code", TOTP(secret: secret).code(at: clock.now))], tokenFrom: "/account/totp")
        #expect(confirm.status == .seeOther, "\(confirm.text)")
        return secret
    }

    /// The secret the set-up page shows as text.
    static func totpSecret(in html: String) -> [UInt8]? {
        guard let start = html.range(of: "<code data-totp-secret>") else { return nil }
        let rest = html[start.upperBound...]
        guard let end = rest.range(of: "</code>") else { return nil }
        return Base32.decode(rest[..<end.lowerBound].replacingOccurrences(of: " ", with: ""))
    }

    /// The recovery codes the one-time page shows.
    func recoveryCodes() async -> [String] {
        let page = await get("/account/recovery-codes")
        return page.text.components(separatedBy: "<li><code>").dropFirst().compactMap { piece in
            piece.range(of: "</code>").map { String(piece[..<$0.lowerBound]) }
        }
    }
}

extension TOTP {
    /// The code at Unix time `time`.
    func code(at time: Int) -> String { code(step: step(at: time)) }
}
