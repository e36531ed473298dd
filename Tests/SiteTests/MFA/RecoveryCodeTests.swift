import Foundation
import Identity
import Testing
import WebTesting

/// Issue 14: recovery codes shown once, used once each at sign-in (saying how many are left),
/// and made anew from the account page.
@Suite struct RecoveryCodeTests {
    @Test func aRecoveryCodeSignsInOnceAndSaysHowManyAreLeft() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        _ = try await client.enableAuthenticatorApp(at: clock)
        let codes = await client.recoveryCodes()
        #expect(codes.count == 10)
        await client.signOut()
        _ = try await site.deliverMail()

        await client.signIn("ada")
        #expect(await client.get("/login/second-factor").text.contains("Use a recovery code"))
        let used = await client.secondFactorCode(codes[0].uppercased(), method: "recovery")
        #expect(used.location == "/account")
        let account = await client.follow(used)
        #expect(account.flashes.contains { $0.contains("9 are left") })
        #expect(account.text.contains("<strong data-codes-left>9</strong>"))
        #expect(try await site.deliverMail().contains { $0.text.contains("9 of them are left") })
        let stored = try await site.query("SELECT data FROM sessions WHERE user_id IS NOT NULL").first?.string("data") ?? ""
        #expect(stored.contains("\"amr\":\"pwd otp mfa\""))

        await client.signOut()
        await client.signIn("ada")
        let again = await client.secondFactorCode(codes[0], method: "recovery")
        #expect(again.status.code == 422, "a used code is refused")
        #expect(await client.get("/account").location?.hasPrefix("/login") == true)
        #expect(await client.secondFactorCode(codes[1], method: "recovery").location == "/account")
    }

    @Test func newCodesReplaceTheOldOnes() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        _ = try await client.enableAuthenticatorApp(at: clock)
        let old = await client.recoveryCodes()
        let made = await client.submit("/account/recovery-codes", [("confirm", "1")], tokenFrom: "/account")
        #expect(made.location == "/account/recovery-codes")
        let new = await client.recoveryCodes()
        #expect(new.count == 10 && Set(new).isDisjoint(with: old))
        #expect(await client.get("/account/recovery-codes").text.contains("Recovery codes left: <strong>10</strong>"))
        await client.signOut()
        await client.signIn("ada")
        #expect(await client.secondFactorCode(old[0], method: "recovery").status.code == 422)
        #expect(await client.secondFactorCode(new[0], method: "recovery").location == "/account")
    }

    @Test func withoutASecondFactorThereAreNoCodesToMake() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        #expect(await client.submit("/account/recovery-codes", [("confirm", "1")], tokenFrom: "/account").location == "/account#security")
        #expect(try await site.count("recovery_codes") == 0)
    }
}
