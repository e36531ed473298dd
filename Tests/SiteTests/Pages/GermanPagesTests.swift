import Foundation
import Testing
import Web
import WebTesting

/// Issue 16: a reader whose browser asks for German gets the site's pages, their flashes and
/// their dates in German, with the page saying which language it is in.
@Suite struct GermanPagesTests {
    private func germanClient(_ site: TestSite) -> TestClient {
        let client = site.client()
        client.defaultHeaders.set("Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
        return client
    }

    @Test func theSignUpPageIsInGerman() async throws {
        let site = try await TestSite.make()
        let page = await germanClient(site).get("/signup")
        #expect(page.status.code == 200)
        #expect(page.headers["Content-Language"] == "de")
        #expect(page.text.contains("<html lang=\"de\">"))
        #expect(page.text.contains("<title>Konto anlegen · Latchkey</title>"))
        #expect(page.text.contains("<h1>Konto anlegen</h1>"))
        #expect(page.text.contains("Passwort <span class=\"muted\">(mindestens 10 Zeichen)</span>"))
        #expect(page.text.contains("Sie haben schon ein Konto? <a href=\"/login\">Anmelden</a>."))
        #expect(!page.text.contains("Create an account"))
    }

    @Test func theForgottenPasswordPageIsInGerman() async throws {
        let site = try await TestSite.make()
        let page = await germanClient(site).get("/password/forgot")
        #expect(page.text.contains("<html lang=\"de\">"))
        #expect(page.text.contains("<a href=\"/login\">Zurück zur Anmeldung</a>"))
        #expect(!page.text.contains("Back to sign in"))
    }

    @Test func theAccountPageIsInGermanWithGermanFlashAndDates() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = germanClient(site)
        client.defaultHeaders.set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")
        let account = await client.follow(await client.signIn("alice"))
        #expect(account.text.contains("<html lang=\"de\">"))
        #expect(account.flashes == ["Angemeldet als alice."])
        #expect(account.text.contains("<h1>Ihr Konto</h1>"))
        #expect(account.text.contains("<h2 id=\"sessions-heading\">Sitzungen</h2>"))
        // Browser and system keep their names; the word between them is German.
        #expect(account.text.contains("Firefox unter Windows <strong>(diese Sitzung)</strong>"))
        #expect(!account.text.contains("Linked accounts"))
        // Dates are written the German way: "4. Dez. 2026", not "4 Dec 2026".
        let month = ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."]
        #expect(month.contains { account.text.contains(". \($0) 20") })
    }

    @Test func aFlashFromAFormIsInGerman() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let client = germanClient(site)
        await client.signIn("alice")
        let renamed = await client.submit("/account/passkeys/1/rename", [("name", "  ")], tokenFrom: "/account")
        #expect(await client.follow(renamed).flashes == ["Ein Passkey braucht einen Namen."])
    }

    @Test func englishReadersStillGetEnglish() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        client.defaultHeaders.set("Accept-Language", "en-GB,en;q=0.8")
        let page = await client.get("/signup")
        #expect(page.text.contains("<html lang=\"en\">"))
        #expect(page.text.contains("<h1>Create an account</h1>"))
    }

    @Test func errorPagesAreInGermanWhileJSONKeepsItsEnglish() async throws {
        let site = try await TestSite.make()
        let client = germanClient(site)
        let missing = await client.get("/no-such-page")
        #expect(missing.status.code == 404)
        #expect(missing.text.contains("<html lang=\"de\">"))
        #expect(missing.text.contains("Nicht gefunden"))
        #expect(!missing.text.contains("Not Found"))

        let forged = await client.post("/login", form: [("username", "alice"), ("password", "x")])
        #expect(forged.status.code == 403)
        #expect(forged.text.contains("CSRF-Prüfung fehlgeschlagen"))

        let json = await client.get("/no-such-page", headers: ["Accept": "application/json"])
        #expect(json.text.contains("not_found"))
    }
}
