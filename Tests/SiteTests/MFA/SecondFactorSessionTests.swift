import FakeAuthenticator
import Foundation
import Identity
import Security
import Testing
import WebTesting

/// Issue 14: the half-signed-in state between the first and the second factor: not signed in,
/// short-lived, and only finished by the account's own factor.
@Suite struct SecondFactorSessionTests {
    @Test func halfSignedInReachesNoAccountPage() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        _ = try await client.enableAuthenticatorApp(at: clock)
        await client.signOut()
        #expect(await client.signIn("ada").location == "/login/second-factor")
        for path in ["/account", "/account/totp", "/account/recovery-codes"] {
            #expect(await client.get(path).location?.hasPrefix("/login") == true, "\(path)")
        }
        #expect(await client.postJSON("/account/passkeys/options", bytes: Array("{}".utf8), tokenFrom: "/login/second-factor").status != .ok)
        #expect(!(await client.get("/login/second-factor").text.contains("Signed in as")))
        let stored = try await site.query("SELECT user_id, data FROM sessions").first
        #expect(try stored?.optionalInt64("user_id") == nil, "the session names no user yet")
    }

    @Test func aPendingSecondFactorExpires() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let secret = try await client.enableAuthenticatorApp(at: clock)
        await client.signOut()
        clock.advance(30)
        await client.signIn("ada")
        let token = await client.csrfToken(from: "/login/second-factor")
        clock.advance(301)
        let late = await client.post("/login/second-factor", form: [("csrf_token", token), ("method", "otp"),
                                                                    ("code", TOTP(secret: secret).code(at: clock.now))])
        #expect(late.location == "/login")
        #expect(await client.follow(late).flashes.contains { $0.contains("took too long") })
        #expect(await client.get("/account").location?.hasPrefix("/login") == true)
        #expect(await client.get("/login/second-factor").location == "/login")
    }

    @Test func anotherAccountsPasskeyDoesNotFinishTheSecondStep() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        try await site.createUser("bob")
        let adaKey = SoftwareAuthenticator(origin: MFASite.origin), bobKey = SoftwareAuthenticator(origin: MFASite.origin)
        for (name, key) in [("ada", adaKey), ("bob", bobKey)] {
            let client = site.client()
            await client.signIn(name)
            try await client.addPasskey(key)
        }
        let client = site.client()
        await client.signIn("ada")
        let refused = try await client.secondFactorPasskey(bobKey)
        #expect(refused.status == .badRequest)
        #expect(refused.passkeyAnswer?.error != nil)
        #expect(await client.get("/account").location?.hasPrefix("/login") == true)
    }

    @Test func aPasskeyWithoutUserVerificationIsNoSignInAlone() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let key = SoftwareAuthenticator(origin: MFASite.origin)
        try await client.addPasskey(key)
        await client.signOut()
        var presenceOnly = Tampering()
        presenceOnly.userVerified = false
        let alone = try await client.signInWithPasskey(key, tampering: presenceOnly)
        #expect(alone.status == .badRequest)
        #expect(await client.get("/account").location?.hasPrefix("/login") == true)
        await client.signIn("ada")
        #expect(try await client.secondFactorPasskey(key, tampering: presenceOnly).passkeyAnswer?.redirect == "/account",
                "after a password, presence is enough")
    }
}
