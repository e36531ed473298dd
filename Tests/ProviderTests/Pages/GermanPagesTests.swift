import Testing
import Web
import WebTesting
@testable import Provider

/// Latchkey ID's pages in German: chosen by `Accept-Language` or by the switcher's `?lang=de`
/// (remembered in the cookie the site shares), with `<html lang>` saying so.
@Suite struct GermanPagesTests {
    /// A browser whose every request asks for German first.
    private func germanBrowser(_ provider: TestProvider) -> TestClient {
        let browser = provider.browser()
        browser.defaultHeaders.set("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
        return browser
    }

    @Test func signInPageIsGermanForAGermanBrowser() async throws {
        let provider = try await TestProvider.make()
        let page = await germanBrowser(provider).get("/login")
        #expect(page.status == .ok)
        #expect(page.text.contains("<html lang=\"de\">"))
        #expect(page.text.contains("<title>Anmelden · Latchkey ID</title>"))
        #expect(page.text.contains("Bei Latchkey ID anmelden"))
        #expect(page.text.contains("Passwort vergessen?"))
        #expect(page.text.contains("Neu hier? <a href=\"/signup\">Konto anlegen</a>."))
        #expect(page.headers["Content-Language"] == "de")
        // The switcher offers the same page in English.
        #expect(page.text.contains("href=\"/login?lang=en\""))
    }

    @Test func signInPageStaysEnglishWithoutAPreference() async throws {
        let provider = try await TestProvider.make()
        let page = await provider.browser().get("/login")
        #expect(page.text.contains("<html lang=\"en\">"))
        #expect(page.text.contains("Sign in to Latchkey ID"))
        #expect(page.text.contains("href=\"/login?lang=de\""))
    }

    @Test func consentPageIsGerman() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient()
        let browser = germanBrowser(provider)
        await browser.signIn("alice")
        let consent = await browser.get(authorizePath(authorizeParameters(client)))
        #expect(consent.status == .ok)
        #expect(consent.text.contains("<html lang=\"de\">"))
        #expect(consent.text.contains("<title>Test App erlauben? · Latchkey ID</title>"))
        #expect(consent.text.contains("Test App erlauben, Ihr Latchkey-ID-Konto zu verwenden?"))
        #expect(consent.text.contains("Ihre E-Mail-Adresse sehen und ob sie bestätigt ist"))
        #expect(consent.text.contains(">Erlauben</button>"))
        #expect(consent.text.contains(">Ablehnen</button>"))
    }

    @Test func accountPageIsGerman() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = germanBrowser(provider)
        await browser.signIn("alice")
        let page = await browser.get("/account")
        #expect(page.status == .ok)
        #expect(page.text.contains("<html lang=\"de\">"))
        #expect(page.text.contains("<title>Ihr Konto · Latchkey ID</title>"))
        #expect(page.text.contains("Ihr Latchkey-ID-Konto"))
        #expect(page.text.contains("Kontonummer"))
        #expect(page.text.contains("Angemeldet als <strong>alice</strong>"))
        #expect(page.text.contains("(bestätigt)"))
    }

    @Test func securityPageAndItsFlashesAreGerman() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let browser = germanBrowser(provider)
        await browser.signIn("alice")
        let token = await browser.csrfToken(from: "/account/security")
        // Confirming a set-up that was never started: refused with a flash, written in Swift.
        let refused = await browser.post("/account/totp/confirm", form: [("csrf_token", token), ("code", "123456")])
        #expect(refused.status == .seeOther)
        let page = await browser.get("/account/security")
        #expect(page.text.contains("<title>Anmeldesicherheit · Latchkey ID</title>"))
        #expect(page.text.contains("Beginnen Sie die Einrichtung neu: Keine Authenticator-App wartet auf einen Code."))
        #expect(page.text.contains("data-msg-not-created=\"Der Passkey wurde nicht erstellt.\""), "the passkey script's words")
    }

    @Test func devicePagesAreGerman() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(redirectURIs: [], grants: [.deviceCode], confidential: false)
        let started = await provider.browser().post("/oauth/device_authorization", form: [("client_id", client.id), ("scope", "openid profile")])
        let userCode = try #require(started.fields["user_code"] as? String)
        let browser = germanBrowser(provider)
        await browser.signIn("alice")
        let form = await browser.get("/device")
        #expect(form.text.contains("<title>Ein Gerät verbinden · Latchkey ID</title>"))
        let wrong = await browser.submit("/device", [("user_code", "BCDF-GHJK")], tokenFrom: "/device")
        #expect(wrong.text.contains("Dieser Code stimmt nicht oder ist abgelaufen."))
        let consent = await browser.submit("/device", [("user_code", userCode)], tokenFrom: "/device")
        #expect(consent.text.contains("Test App auf Ihrem Gerät erlauben, Ihr Latchkey-ID-Konto zu verwenden?"))
        #expect(consent.text.contains("Ihren Benutzernamen und Namen sehen"))
        let done = await browser.submit("/device/decide", [("decision", "allow")], tokenFrom: "/device")
        #expect(done.text.contains("Ihr Gerät ist verbunden"))
    }

    @Test func authorizationErrorPageIsGerman() async throws {
        let provider = try await TestProvider.make()
        let page = await germanBrowser(provider).get("/oauth/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fapp.test%2Fcb")
        #expect(page.status == .badRequest)
        #expect(page.text.contains("<html lang=\"de\">"))
        #expect(page.text.contains("Dieser Anmeldelink nennt eine Anwendung, die bei diesem Anbieter nicht registriert ist."))
    }

    @Test func langParameterSwitchesToGermanAndRemembersIt() async throws {
        let provider = try await TestProvider.make()
        let browser = provider.browser()
        let switched = await browser.get("/login?lang=de")
        #expect(switched.status == .seeOther)
        #expect(switched.headers["Location"] == "/login")
        #expect(browser.cookies[LanguageMiddleware.cookieName] == "de")
        // No Accept-Language at all: the cookie alone makes the next page German.
        let page = await browser.get("/login")
        #expect(page.text.contains("<html lang=\"de\">"))
        #expect(page.text.contains("Bei Latchkey ID anmelden"))
    }
}
