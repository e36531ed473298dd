import Foundation
import Identity
import Security
import Testing
import WebTesting

/// Issue 14: an authenticator app (TOTP) set up from the account page with a first code, then
/// asked for after the password, a sign-in code or a social sign-in.
@Suite struct AuthenticatorAppTests {
    @Test func theSetUpPageShowsAQRCodeTheSecretAndTheLink() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        await client.submit("/account/totp", [], tokenFrom: "/account")
        let page = await client.get("/account/totp")
        #expect(page.text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(page.text.contains("otpauth://totp/Latchkey:ada?"))
        #expect(TestClient.totpSecret(in: page.text)?.count == TOTP.secretLength)
        #expect(await client.get("/account/totp").text == page.text, "a reload shows the same secret")
        #expect(await client.get("/account").text.contains("Finish setting it up"))
        await client.signOut()
        #expect(await client.signIn("ada").location == "/account", "an unconfirmed app asks for nothing")
    }

    @Test func theAppIsOnOnlyAfterAFirstRightCode() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        await client.submit("/account/totp", [], tokenFrom: "/account")
        let secret = try #require(TestClient.totpSecret(in: await client.get("/account/totp").text))
        let wrong = await client.submit("/account/totp/confirm", [("code", "000000")], tokenFrom: "/account/totp")
        #expect(wrong.status.code == 422)
        #expect(wrong.text.contains("That code is not right"))
        let right = await client.submit("/account/totp/confirm", [("code", TOTP(secret: secret).code(at: clock.now))], tokenFrom: "/account/totp")
        #expect(right.location == "/account/recovery-codes")
        #expect(await client.recoveryCodes().count == 10)
        #expect(try await site.deliverMail().contains { $0.text.contains("An authenticator app was just set up") })
        #expect(await client.get("/account").text.contains("Turn off the authenticator app"))
    }

    @Test func thePasswordThenAnAppCodeSignsIn() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let secret = try await client.enableAuthenticatorApp(at: clock)
        await client.signOut()
        clock.advance(30)

        #expect(await client.signIn("ada").location == "/login/second-factor")
        let step = await client.get("/login/second-factor")
        #expect(step.text.contains("Code from your authenticator app"))
        #expect(!step.text.contains("Use a passkey"))
        let wrong = await client.secondFactorCode("123456")
        #expect(wrong.status.code == 422)
        let right = await client.secondFactorCode(TOTP(secret: secret).code(at: clock.now))
        #expect(right.location == "/account")
        #expect(await client.get("/account").status == .ok)
        let stored = try await site.query("SELECT data FROM sessions WHERE user_id IS NOT NULL").first?.string("data") ?? ""
        #expect(stored.contains("\"amr\":\"pwd otp mfa\""))

        await client.signOut()
        await client.signIn("ada")
        let reused = await client.secondFactorCode(TOTP(secret: secret).code(at: clock.now))
        #expect(reused.status.code == 422, "one code, one sign-in")
        #expect(reused.text.contains("used already"))
    }

    @Test func wrongCodesAreLimited() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let secret = try await client.enableAuthenticatorApp(at: clock)
        await client.signOut()
        clock.advance(30)
        await client.signIn("ada")
        for _ in 0..<SecondFactor.attemptLimit.limit { await client.secondFactorCode("000000") }
        let limited = await client.secondFactorCode(TOTP(secret: secret).code(at: clock.now))
        #expect(limited.status == .tooManyRequests)
        #expect(limited.headers["Retry-After"] != nil)
        #expect(await client.get("/account").location?.hasPrefix("/login") == true)
    }

    @Test func aSignInCodeAlsoAsksForTheSecondFactor() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada", email: "ada@example.com")
        let client = site.client()
        await client.signIn("ada")
        let secret = try await client.enableAuthenticatorApp(at: clock)
        await client.signOut()
        _ = try await site.deliverMail()
        clock.advance(30)

        await client.submit("/login/code", [("identifier", "ada")], tokenFrom: "/login/code")
        let code = try await site.mailedCode(to: "ada@example.com")
        let entered = await client.submit("/login/code/enter", [("code", code)], tokenFrom: "/login/code/enter")
        #expect(entered.location == "/login/second-factor")
        #expect(await client.get("/account").location?.hasPrefix("/login") == true)
        #expect(await client.secondFactorCode(TOTP(secret: secret).code(at: clock.now)).location == "/account")
        let stored = try await site.query("SELECT data FROM sessions WHERE user_id IS NOT NULL").first?.string("data") ?? ""
        #expect(stored.contains("\"amr\":\"email otp mfa\""))
    }

    @Test func turningTheAppOffMailsTheOwnerAndDropsTheCodes() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        _ = try await client.enableAuthenticatorApp(at: clock)
        _ = try await site.deliverMail()
        #expect(await client.submit("/account/totp/delete", [("confirm", "1")], tokenFrom: "/account").location == "/account#security")
        #expect(try await site.count("totp_devices") == 0)
        #expect(try await site.count("recovery_codes") == 0)
        #expect(try await site.deliverMail().contains { $0.text.contains("The authenticator app was just removed") })
    }
}
