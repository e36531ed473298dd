import FakeAuthenticator
import Foundation
import Identity
import Security
@testable import Site
import Testing
import WebTesting

/// Issue 14: whatever a hostile page or client sends to the passkey endpoints gets a clean 4xx
/// with a JSON message, never a 500, and signs nobody in.
@Suite struct PasskeyBadInputTests {
    /// A site where ada has a passkey, and a signed-out client.
    func setUp() async throws -> (TestSite, TestClient, SoftwareAuthenticator) {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let key = SoftwareAuthenticator(origin: MFASite.origin)
        try await client.addPasskey(key)
        await client.signOut()
        return (site, client, key)
    }

    func expectRefused(_ response: TestResponse, _ client: TestClient, sourceLocation: SourceLocation = #_sourceLocation) async {
        #expect((400..<500).contains(response.status.code), "\(response.status.code) \(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        #expect(response.passkeyAnswer?.error?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(await client.get("/account").location?.hasPrefix("/login") == true, "not signed in", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["origin", "rpID", "clientDataAfterSigning", "anotherKey", "challenge", "type", "noUserHandle"])
    func aTamperedSignInIsRefused(_ what: String) async throws {
        let (_, client, key) = try await setUp()
        var tampering = Tampering()
        switch what {
        case "origin": tampering.origin = "https://evil.example"
        case "rpID": tampering.rpID = "evil.example"
        case "clientDataAfterSigning": tampering.clientDataAfterSigning = { Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "latchkey", with: "latchkeY").utf8) }
        case "anotherKey": tampering.signWithAnotherKey = true
        case "challenge": tampering.challenge = Array(repeating: 7, count: 32)
        case "type": tampering.type = "webauthn.create"
        default: tampering.omitUserHandle = true
        }
        await expectRefused(try await client.signInWithPasskey(key, tampering: tampering), client)
    }

    @Test func aReplayedSignInIsRefused() async throws {
        let (_, client, key) = try await setUp()
        let options = try await client.passkeyOptions("/login/passkey/options", tokenFrom: "/login")
        let assertion = try key.authenticate(rpID: MFASite.rpID, challenge: options.challenge)
        #expect(await client.postJSON("/login/passkey", bytes: assertion.json, tokenFrom: "/login").passkeyAnswer?.redirect == "/account")
        await client.signOut()
        await expectRefused(await client.postJSON("/login/passkey", bytes: assertion.json, tokenFrom: "/login"), client)
    }

    @Test func anExpiredChallengeIsRefused() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let key = SoftwareAuthenticator(origin: MFASite.origin)
        try await client.addPasskey(key)
        await client.signOut()
        let options = try await client.passkeyOptions("/login/passkey/options", tokenFrom: "/login")
        clock.advance(301)
        let assertion = try key.authenticate(rpID: MFASite.rpID, challenge: options.challenge)
        await expectRefused(await client.postJSON("/login/passkey", bytes: assertion.json, tokenFrom: "/login"), client)
    }

    @Test func anUnknownCredentialIsRefused() async throws {
        let (_, client, _) = try await setUp()
        let stranger = SoftwareAuthenticator(origin: MFASite.origin)
        _ = try stranger.register(rpID: MFASite.rpID, challenge: [1, 2, 3], userHandle: Array(repeating: 1, count: 32))
        await expectRefused(try await client.signInWithPasskey(stranger), client)
    }

    @Test(arguments: ["origin", "rpID", "challenge", "attestation"])
    func aTamperedRegistrationIsRefused(_ what: String) async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        var tampering = Tampering()
        switch what {
        case "origin": tampering.origin = "https://evil.example"
        case "rpID": tampering.rpID = "evil.example"
        case "challenge": tampering.challenge = Array(repeating: 9, count: 32)
        default: tampering.attestationFormat = "packed"
        }
        let response = try await client.addPasskey(SoftwareAuthenticator(origin: MFASite.origin), tampering: tampering)
        #expect((400..<500).contains(response.status.code), "\(response.status.code) \(response.text)")
        #expect(response.passkeyAnswer?.error != nil)
        #expect(try await site.count("webauthn_credentials") == 0)
    }

    @Test(arguments: ["", "{", "null", "[]", "{\"id\": 5}", "{\"rawId\":\"!!!\",\"type\":\"public-key\",\"response\":{}}",
                      String(repeating: "{\"a\":", count: 5000)])
    func hostileBodiesGetACleanRefusal(_ body: String) async throws {
        let (_, client, _) = try await setUp()
        for path in ["/login/passkey", "/login/second-factor/passkey"] {
            let response = await client.postJSON(path, bytes: Array(body.utf8), tokenFrom: "/login")
            #expect((400..<500).contains(response.status.code), "\(path): \(response.status.code)")
        }
        await client.signIn("ada")
        let registration = await client.postJSON("/account/passkeys", bytes: Array(body.utf8), tokenFrom: "/account")
        #expect((400..<500).contains(registration.status.code), "\(registration.status.code)")
    }

    @Test func anOversizedBodyIsRefusedUnread() async throws {
        let (_, client, _) = try await setUp()
        let big = "{\"id\":\"" + String(repeating: "A", count: 40_000) + "\"}"
        let response = await client.postJSON("/login/passkey", bytes: Array(big.utf8), tokenFrom: "/login")
        #expect(response.status.code == 413)
        #expect(response.passkeyAnswer?.error != nil)
    }

    @Test func startingPasskeySignInsIsLimitedPerAddress() async throws {
        let site = try await MFASite.make()
        let client = site.client()
        let token = await client.csrfToken(from: "/login")
        var statuses: [Int] = []
        for _ in 0...SecondFactorController.passkeyStartLimit.limit {
            statuses.append(await client.postJSON("/login/passkey/options", json: "{}", headers: ["X-CSRF-Token": token]).status.code)
        }
        #expect(statuses.dropLast().allSatisfy { $0 == 200 })
        #expect(statuses.last == 429)
    }

    @Test func withoutTheCSRFTokenNothingStarts() async throws {
        let (_, client, _) = try await setUp()
        #expect(await client.postJSON("/login/passkey/options", json: "{}").status == .forbidden)
    }
}
