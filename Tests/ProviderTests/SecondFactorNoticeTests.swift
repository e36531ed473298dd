import FakeAuthenticator
import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// Issue 14: every change to a Latchkey ID account's second factors mails its owner, in the
/// words the site uses (`SecondFactorEvent`), queued with the change.
@Suite struct SecondFactorNoticeTests {
    @Test func eachChangeIsMailedToTheOwner() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        _ = try await provider.deliverMail()
        let owner = provider.browser()
        await owner.signIn("alice")

        let app = try await owner.enrollAuthenticatorApp(at: provider.clock.now)
        var mail = try await provider.deliverMail()
        #expect(mail.map(\.subject) == ["Two-step sign-in is on for your Latchkey ID account"])
        #expect(mail.first?.to == ["alice@example.com"])
        #expect(mail.first?.text.contains("/account/security") == true)

        let authenticator = SoftwareAuthenticator(origin: TestProvider.issuer)
        #expect(try await PasskeySecondFactorTests.addPasskey(owner, authenticator: authenticator, name: "Phone").status == .ok)
        mail = try await provider.deliverMail()
        #expect(mail.map(\.subject) == ["A passkey was added to your Latchkey ID account"])
        #expect(mail.first?.text.contains("\u{201C}Phone\u{201D}") == true)

        let browser = provider.browser()
        await browser.signIn("alice")
        let used = await browser.submit("/login/second-factor", [("method", "recovery"), ("code", try #require(app.recoveryCodes.first))],
                                        tokenFrom: "/login/second-factor")
        #expect(used.status == .seeOther)
        mail = try await provider.deliverMail()
        #expect(mail.map(\.subject) == ["A recovery code was used on your Latchkey ID account"])
        #expect(mail.first?.text.contains("9 of them are left") == true)

        let token = await owner.csrfToken(from: "/account/security")
        #expect(await owner.post("/account/totp/remove", form: [("csrf_token", token), ("current_password", TestProvider.password)]).status == .seeOther)
        mail = try await provider.deliverMail()
        #expect(Set(mail.compactMap(\.subject)) == ["The authenticator app was removed from your Latchkey ID account",
                                                   "A passkey was removed from your Latchkey ID account"])
    }

    @Test func aCounterThatGoesBackIsMailedOnce() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let owner = provider.browser()
        await owner.signIn("alice")
        let authenticator = SoftwareAuthenticator(origin: TestProvider.issuer)
        #expect(try await PasskeySecondFactorTests.addPasskey(owner, authenticator: authenticator).status == .ok)
        for _ in 0..<3 { _ = try await PasskeySignInTests.signIn(provider.browser(), authenticator: authenticator) }
        _ = try await provider.deliverMail()

        var cloned = Tampering()
        cloned.signCount = 1
        for _ in 0..<2 {
            let signedIn = try await PasskeySignInTests.signIn(provider.browser(), authenticator: authenticator, tampering: cloned)
            #expect(signedIn.status == .ok, "a regression is a signal, not a refusal")
        }
        let mail = try await provider.deliverMail()
        #expect(mail.map(\.subject) == ["A passkey on your Latchkey ID account may have been copied"])
    }
}
