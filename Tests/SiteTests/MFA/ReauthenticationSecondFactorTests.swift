import FakeAuthenticator
import Foundation
import Security
import Testing
import WebTesting

/// Issue 14: "confirm it is you" with a passkey or the authenticator app, and what a page's
/// script gets when its sign-in has grown too old for the change it asks for.
@Suite struct ReauthenticationSecondFactorTests {
    @Test func aPasskeyConfirmsAndGoesBack() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let authenticator = SoftwareAuthenticator(origin: MFASite.origin)
        try await client.addPasskey(authenticator)
        try await site.ageSignIn(of: client)

        let page = await client.get("/account/reauthenticate?next=%2Faccount%2Fdelete")
        #expect(page.text.contains("data-options=\"/account/reauthenticate/passkey/options\""))
        #expect(page.text.contains("<script src=\"/js/passkeys.js\""))
        let options = try await client.passkeyOptions("/account/reauthenticate/passkey/options", tokenFrom: "/account/reauthenticate")
        let assertion = try authenticator.authenticate(rpID: MFASite.rpID, challenge: options.challenge)
        let done = await client.postJSON("/account/reauthenticate/passkey?next=%2Faccount%2Fdelete", bytes: assertion.json,
                                         tokenFrom: "/account/reauthenticate")
        #expect(done.passkeyAnswer?.redirect == "/account/delete", "\(done.text)")
        #expect(await client.get("/account/delete").status == .ok)
        #expect(try await site.sessionValues(of: client)["amr"]?.contains("hwk") == true)
    }

    @Test func anotherAccountsPasskeyDoesNotConfirm() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        try await site.createUser("eve")
        let ada = site.client(), eve = site.client()
        await ada.signIn("ada")
        await eve.signIn("eve")
        let evesKey = SoftwareAuthenticator(origin: MFASite.origin)
        try await eve.addPasskey(evesKey)
        try await ada.addPasskey(SoftwareAuthenticator(origin: MFASite.origin))
        try await site.ageSignIn(of: ada)

        let options = try await ada.passkeyOptions("/account/reauthenticate/passkey/options", tokenFrom: "/account/reauthenticate")
        let assertion = try evesKey.authenticate(rpID: MFASite.rpID, challenge: options.challenge)
        let refused = await ada.postJSON("/account/reauthenticate/passkey", bytes: assertion.json, tokenFrom: "/account/reauthenticate")
        #expect(refused.status == .badRequest && refused.passkeyAnswer?.error != nil)
        #expect(await ada.get("/account/delete").location?.hasPrefix("/account/reauthenticate") == true)
    }

    @Test func anAuthenticatorAppCodeConfirmsOnceAndAWrongOneDoesNot() async throws {
        let clock = TestClock()
        let site = try await MFASite.make(clock: clock)
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let secret = try await client.enableAuthenticatorApp(at: clock)
        clock.advance(3600)

        let page = await client.get("/account/reauthenticate?next=%2Faccount%2Fdelete")
        #expect(page.text.contains("action=\"/account/reauthenticate/app\""))
        let wrong = await client.submit("/account/reauthenticate/app", [("code", "000000"), ("next", "/account/delete")],
                                        tokenFrom: "/account/reauthenticate")
        #expect(wrong.status == .unprocessableContent && wrong.text.contains("That code is not right"))
        #expect(await client.get("/account/delete").location?.hasPrefix("/account/reauthenticate") == true)

        let code = TOTP(secret: secret).code(at: clock.now)
        let done = await client.submit("/account/reauthenticate/app", [("code", code), ("next", "/account/delete")],
                                       tokenFrom: "/account/reauthenticate")
        #expect(done.location == "/account/delete")
        #expect(await client.get("/account/delete").status == .ok)

        // The same code again once the sign-in is stale anew: a used step is refused.
        try await site.ageSignIn(of: client)
        let replay = await client.submit("/account/reauthenticate/app", [("code", code)], tokenFrom: "/account/reauthenticate")
        #expect(replay.status == .unprocessableContent && replay.text.contains("used already"))
    }

    /// A page's script that adds a passkey after the window gets JSON naming the page to go to,
    /// not a redirect to HTML it cannot read (`fetch` follows redirects silently).
    @Test func aScriptGetsJSONWhenItsSignInIsTooOld() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        try await site.ageSignIn(of: client)
        let answer = await client.postJSON("/account/passkeys/options", bytes: Array("{}".utf8), tokenFrom: "/account")
        #expect(answer.status == .unauthorized)
        #expect(answer.headers["Content-Type"] == "application/json")
        let object = try #require(answer.jsonObject())
        #expect(object["code"] as? String == "reauthentication_required")
        #expect(object["redirect"] as? String == "/account/reauthenticate?next=%2Faccount")
        #expect(try await site.query("SELECT COUNT(*) AS n FROM webauthn_challenges").first?.int("n") == 0, "nothing was started")
    }

    /// A counter that goes backwards marks the passkey and mails its owner, once.
    @Test func aCounterRegressionIsMailedOnce() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let authenticator = SoftwareAuthenticator(origin: MFASite.origin)
        try await client.addPasskey(authenticator, name: "Key")
        await client.signOut()
        for _ in 0..<3 { try await client.signInWithPasskey(authenticator); await client.signOut() }
        _ = try await site.deliverMail()

        var cloned = Tampering()
        cloned.signCount = 1
        for _ in 0..<2 {
            let signedIn = try await client.signInWithPasskey(authenticator, tampering: cloned)
            #expect(signedIn.status == .ok, "a regression is a signal, not a refusal")
            await client.signOut()
        }
        let mail = try await site.deliverMail()
        #expect(mail.filter { $0.text.contains("may have been copied") || $0.text.contains("lower than it had") }.count == 1)
        #expect(try await site.query("SELECT counter_regressions FROM webauthn_credentials").first?.int("counter_regressions") == 2)
        await client.signIn("ada")
        _ = try await client.secondFactorPasskey(authenticator)
        #expect(await client.get("/account").text.contains("may have been copied"))
    }
}
