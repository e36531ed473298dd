import Testing
import Web
import WebTesting

/// The admin console in German: pages, counts, dates, and what the actions say afterwards.
@Suite struct AdminGermanTests {
    @Test func dashboardUsersListAndUserPageSpeakGerman() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let ids = try await site.seedUsers(2)
        let german: HTTPHeaders = ["Accept-Language": "de"]

        let dashboard = await client.get("/admin", headers: german)
        #expect(dashboard.status.code == 200)
        for text in ["<html lang=\"de\"", "<title>Verwaltung", ">Übersicht</a>", "<dt>Benutzer</dt><dd><a href=\"/admin/users\">3</a></dd>",
                     "Tokens, die innerhalb von 7 Tagen ablaufen: <a href=\"/admin/users?filter=expiring\">0</a>",
                     "Noch keine verbundenen Konten."] {
            #expect(dashboard.text.contains(text), "missing \(text)")
        }

        let users = await client.get("/admin/users", headers: german)
        // Seeded users joined at the epoch; the list prints the day the German way.
        for text in ["<h1>Benutzer</h1>", "Gefundene Benutzer: 3", "<option value=\"admins\">Administratoren</option>",
                     "<td>1. Jan. 1970</td>", "<td data-mfa=\"\(ids[0])\">keiner</td>", "Als CSV herunterladen"] {
            #expect(users.text.contains(text), "missing \(text)")
        }

        let user = await client.get("/admin/users/\(ids[0])", headers: german)
        for text in ["<dt>Registriert</dt><dd>1. Jan. 1970, 00:00 UTC</dd>", "<dd id=\"sign-in-failures\">0 in den letzten 15 Minuten</dd>",
                     "<dt>E-Mail-Adresse</dt>", "<h2 id=\"mail-heading\">E-Mails</h2>",
                     "(nicht bestätigt)", "Keine aktiven Sitzungen.", "Letzte Einträge im Audit-Protokoll"] {
            #expect(user.text.contains(text), "missing \(text)")
        }
        #expect(!user.text.contains("in the last"))
    }

    @Test func providersPageNamesMissingSettingsInGerman() async throws {
        let site = try await TestSite.make(["GITHUB_CLIENT_ID": "gh"])
        let client = try await site.adminClient()
        let page = await client.get("/admin/providers", headers: ["Accept-Language": "de"])
        for text in ["<h1>Anbieter</h1>", "deaktiviert: GITHUB_CLIENT_SECRET ist nicht gesetzt",
                     "deaktiviert: FACEBOOK_CLIENT_ID und FACEBOOK_CLIENT_SECRET sind nicht gesetzt",
                     "deaktiviert: SIBLING_CLIENT_ID, SIBLING_CLIENT_SECRET und SIBLING_PROVIDER_URL sind nicht gesetzt"] {
            #expect(page.text.contains(text), "missing \(text)")
        }
    }

    @Test func englishStaysTheDefaultWithEnglishDates() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let ids = try await site.seedUsers(1)
        let user = await client.get("/admin/users/\(ids[0])")
        #expect(user.text.contains("<dt>Joined</dt><dd>1 Jan 1970, 00:00 UTC</dd>"))
        #expect(user.text.contains("<dd id=\"sign-in-failures\">0 in the last 15 minutes</dd>"))
    }

    @Test func actionsAskAndReportInGermanWithPluralsAndPlaceholders() async throws {
        let site = try await TestSite.make()
        let client = try await site.adminClient()
        let bob = try await site.createUser("bob")
        await site.client().signIn("bob")
        // The switcher's link: remembered in a cookie for every later request.
        #expect(await client.get("/admin?lang=de").status.code == 303)

        let question = await client.post("/admin/users/\(bob.id)/disable", form: [("csrf_token", await client.csrfToken(from: "/admin"))])
        #expect(question.text.contains("bob deaktivieren?"))
        #expect(question.text.contains("Alle Sitzungen von bob enden sofort"))

        let disabled = await client.adminPost("/admin/users/\(bob.id)/disable")
        #expect(await client.follow(disabled).flashes.contains("bob ist deaktiviert; 1 Sitzung beendet."))
        let unlocked = await client.adminPost("/admin/users/\(bob.id)/unlock")
        #expect(await client.follow(unlocked).flashes.contains("bob kann sich sofort wieder anmelden (0 gezählte Fehlversuche gelöscht)."))
    }
}
