import Foundation
import Testing
import Web
import WebTesting

/// Issue 16: the provider's mail is written in the language of the request that causes it.
@Suite struct ProviderGermanMailTests {
    @Test func aPasswordResetAskedForInGermanArrivesInGerman() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = provider.browser()
        let token = await browser.csrfToken(from: "/login")
        let asked = await browser.post("/password/forgot", form: [("csrf_token", token), ("identifier", "alice")],
                                       headers: ["Accept-Language": "de"])
        #expect(asked.status == .ok)
        let reset = try #require(try await provider.deliverMail().first)
        let subject = try #require(reset.subject)
        #expect(subject.hasPrefix("=?UTF-8?B?"), "a German subject is encoded")
        let decoded = Data(base64Encoded: String(subject.dropFirst("=?UTF-8?B?".count).dropLast(2))).map { String(decoding: $0, as: UTF8.self) }
        #expect(decoded == "Ihr Latchkey-ID-Passwort zurücksetzen")
        #expect(reset.text.contains("Hallo alice,"))
        #expect(reset.text.contains("Latchkey-ID-Kontos zurückzusetzen"))
        #expect(reset.resetPath != nil, "the link survives translation")
    }

    @Test func aShortPasswordOnTheGermanSignUpFormIsRefusedInGerman() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        let token = await browser.csrfToken(from: "/signup")
        let response = await browser.post("/signup", form: [("csrf_token", token), ("username", "bob"), ("email", "bob@example.com"),
                                                            ("password", "short-pw"), ("password_confirmation", "short-pw")],
                                          headers: ["Accept-Language": "de"])
        #expect(response.text.contains("Verwenden Sie mindestens 10 Zeichen."))
    }
}
