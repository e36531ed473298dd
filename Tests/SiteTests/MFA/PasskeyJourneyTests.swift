import FakeAuthenticator
import Foundation
import Testing
import WebTesting

/// Issue 14: passkeys added on the account page, then used alone at the sign-in page or after
/// the password.
@Suite struct PasskeyJourneyTests {
    @Test func aPasskeyAddedOnTheAccountPageSignsInAlone() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        _ = try await site.deliverMail()
        let client = site.client()
        #expect(await client.signIn("ada").location == "/account")
        let account = await client.get("/account")
        #expect(account.text.contains("Add a passkey"))
        #expect(account.text.contains("<script src=\"/js/passkeys.js\""))
        let authenticator = SoftwareAuthenticator(origin: MFASite.origin)
        let added = try await client.addPasskey(authenticator, name: "Laptop")
        #expect(added.status == .ok, "\(added.text)")
        #expect(added.passkeyAnswer?.redirect == "/account/recovery-codes", "the first factor comes with recovery codes")
        let waiting = try await site.query("SELECT data FROM sessions").map { try $0.string("data") }.joined()
        let codes = await client.recoveryCodes()
        #expect(codes.count == 10)
        #expect(waiting.contains("mfa_new_codes") && !codes.contains { waiting.contains($0) }, "kept sealed, never in clear")
        #expect(await client.recoveryCodes().isEmpty, "shown once")
        let page = await client.get("/account")
        #expect(page.text.contains("value=\"Laptop\""))
        let mail = try await site.deliverMail()
        #expect(mail.contains { $0.text.contains("A passkey (\u{201C}Laptop\u{201D}) was just added") })

        await client.signOut()
        let signedIn = try await client.signInWithPasskey(authenticator)
        #expect(signedIn.status == .ok, "\(signedIn.text)")
        #expect(signedIn.passkeyAnswer?.redirect == "/account")
        #expect(await client.get("/account").status == .ok)
        let stored = try await site.query("SELECT data FROM sessions WHERE user_id IS NOT NULL").first?.string("data") ?? ""
        #expect(stored.contains("\"amr\":\"hwk mfa\""))
        #expect(stored.contains("\"auth_at\""))
        #expect(!stored.contains("mfa_user"))
    }

    @Test func thePasswordAsksForThePasskeyNext() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        let authenticator = SoftwareAuthenticator(origin: MFASite.origin)
        try await client.addPasskey(authenticator)
        await client.signOut()

        let password = await client.signIn("ada", next: "/account?tab=1")
        #expect(password.location == "/login/second-factor")
        let step = await client.get("/login/second-factor")
        #expect(step.text.contains("Use a passkey"))
        #expect(await client.get("/account").location?.hasPrefix("/login") == true, "half signed in is not signed in")
        let before = client.sessionID
        let done = try await client.secondFactorPasskey(authenticator)
        #expect(done.passkeyAnswer?.redirect == "/account?tab=1", "\(done.text)")
        #expect(client.sessionID != before, "the session id changes at sign-in")
        #expect(await client.get("/account").status == .ok)
        let stored = try await site.query("SELECT data FROM sessions WHERE user_id IS NOT NULL").first?.string("data") ?? ""
        #expect(stored.contains("\"amr\":\"pwd hwk mfa\""))
    }

    @Test func passkeysAreRenamedAndRemovedWithANotice() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        let client = site.client()
        await client.signIn("ada")
        try await client.addPasskey(SoftwareAuthenticator(origin: MFASite.origin), name: "Old")
        let id = try #require(try await site.query("SELECT id FROM webauthn_credentials").first?.int("id"))
        _ = try await site.deliverMail()
        let renamed = await client.submit("/account/passkeys/\(id)/rename", [("name", "Phone")], tokenFrom: "/account")
        #expect(renamed.location == "/account#security")
        #expect(await client.get("/account").text.contains("value=\"Phone\""))
        #expect(await client.submit("/account/passkeys/\(id)/delete", [], tokenFrom: "/account").text.contains("Remove the passkey \u{201C}Phone\u{201D}?"))
        let removed = await client.submit("/account/passkeys/\(id)/delete", [("confirm", "1")], tokenFrom: "/account")
        #expect(removed.location == "/account#security")
        #expect(try await site.count("webauthn_credentials") == 0)
        #expect(try await site.count("recovery_codes") == 0, "no factor left, nothing to recover")
        #expect(try await site.deliverMail().contains { $0.text.contains("The passkey \u{201C}Phone\u{201D} was just removed") })
        #expect(await client.submit("/account/passkeys/\(id)/delete", [("confirm", "1")], tokenFrom: "/account").status == .notFound)
        await client.signOut()
        #expect(await client.signIn("ada").location == "/account", "no second step without a factor")
    }

    @Test func anotherAccountsPasskeyCannotBeRenamedOrRemoved() async throws {
        let site = try await MFASite.make()
        try await site.createUser("ada")
        try await site.createUser("bob")
        let ada = site.client()
        await ada.signIn("ada")
        try await ada.addPasskey(SoftwareAuthenticator(origin: MFASite.origin))
        let id = try #require(try await site.query("SELECT id FROM webauthn_credentials").first?.int("id"))
        let bob = site.client()
        await bob.signIn("bob")
        #expect(await bob.submit("/account/passkeys/\(id)/delete", [("confirm", "1")], tokenFrom: "/account").status == .notFound)
        #expect(await bob.submit("/account/passkeys/\(id)/delete", [], tokenFrom: "/account").status == .notFound, "no question either")
        #expect(await bob.submit("/account/passkeys/\(id)/rename", [("name", "x")], tokenFrom: "/account").status == .notFound)
        #expect(try await site.count("webauthn_credentials") == 1)
    }
}
