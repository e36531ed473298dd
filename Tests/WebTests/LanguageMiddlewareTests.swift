import Foundation
import Localization
import Mustache
import Testing
import Web
import WebTesting

/// An app with one page in English and German, built through the real loader (templates and
/// catalogs read from a folder).
private func bilingualApplication() throws -> Application {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lang-\(UInt64.random(in: 0...UInt64.max))").path
    try FileManager.default.createDirectory(atPath: root + "/locales/de", withIntermediateDirectories: true)
    try """
    <html lang="{{lang}}"><h1>{{#_}}Hello, {{name}}!{{/_}}</h1>{{#languages}}<a href="{{href}}">{{name}}</a>{{/languages}}</html>
    """.write(toFile: root + "/page.mustache", atomically: true, encoding: .utf8)
    try """
    msgid ""
    msgstr ""
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

    msgid "Hello, {{name}}!"
    msgstr "Hallo, {{name}}!"

    msgid "Goodbye"
    msgstr "Auf Wiedersehen"
    """.write(toFile: root + "/locales/de/test.po", atomically: true, encoding: .utf8)
    let templates = try Application.loadLocalizedTemplates(directory: root, required: ["page"])
    let router = Router()
    router.get("/page") { _, context in
        View("page", ["name": "Ada", "lang": .string(context.translator.language.code),
                      "languages": .list(context[LanguageSwitchKey.self].map { choice in
                          choice.all.map { ["name": .string($0.name), "href": .string(choice.href($0))] }
                      } ?? [])])
    }
    router.get("/text") { _, context in context.translator.text("Goodbye") }
    return Application(responder: router.responder(middleware: [LanguageMiddleware(templates: templates, secure: false)]),
                       templates: templates.fallback, logger: Logger(sink: .capturing()))
}

@Suite struct LanguageMiddlewareTests {
    @Test func englishWithoutAnyPreference() async throws {
        let client = TestClient(try bilingualApplication())
        let page = await client.get("/page")
        #expect(page.text.contains("<html lang=\"en\"><h1>Hello, Ada!</h1>"))
        #expect(page.headers["Content-Language"] == "en")
        #expect(page.headers["Vary"]?.contains("Accept-Language") == true)
    }

    @Test func acceptLanguagePicksGermanForPagesAndSwiftText() async throws {
        let client = TestClient(try bilingualApplication())
        let page = await client.get("/page", headers: ["Accept-Language": "de-CH, en;q=0.5"])
        #expect(page.text.contains("<html lang=\"de\"><h1>Hallo, Ada!</h1>"))
        #expect(page.headers["Content-Language"] == "de")
        #expect(await client.get("/text", headers: ["Accept-Language": "de"]).text == "Auf Wiedersehen")
        #expect(await client.get("/text", headers: ["Accept-Language": "fr"]).text == "Goodbye")
    }

    @Test func theSwitcherRemembersAChoiceOverTheHeader() async throws {
        let client = TestClient(try bilingualApplication())
        let english = await client.get("/page", headers: ["Accept-Language": "en"])
        #expect(english.text.contains("<a href=\"/page?lang=de\">Deutsch</a>"))

        let switched = await client.get("/page?x=1&lang=de&y=2", headers: ["Accept-Language": "en"])
        #expect(switched.status == .seeOther)
        #expect(switched.location == "/page?x=1&y=2")
        #expect(switched.headers["Set-Cookie"]?.hasPrefix("latchkey_language=de;") == true)
        #expect(switched.headers["Cache-Control"] == "no-store")
        let after = await client.get("/page", headers: ["Accept-Language": "en"])
        #expect(after.text.contains("Hallo, Ada!"))

        _ = await client.get("/page?lang=en")
        #expect(await client.get("/page", headers: ["Accept-Language": "de"]).text.contains("Hello, Ada!"))
    }

    @Test(arguments: ["/page?lang=xx", "/page?lang=" + String(repeating: "d", count: 500), "/page?lang="])
    func anUnknownLanguageIsIgnored(target: String) async throws {
        let client = TestClient(try bilingualApplication())
        let page = await client.get(target)
        #expect(page.status == .ok)
        #expect(page.text.contains("Hello, Ada!"))
        #expect(page.headers["Set-Cookie"] == nil)
    }

    @Test func aForgedCookieFallsBackToTheHeader() async throws {
        let client = TestClient(try bilingualApplication())
        client.setCookie(LanguageMiddleware.cookieName, "<script>")
        #expect(await client.get("/page", headers: ["Accept-Language": "de"]).text.contains("Hallo, Ada!"))
    }

    @Test(arguments: ["//evil.example/page?lang=de", "/\\evil.example?lang=de"])
    func switchingNeverRedirectsToAnotherHost(target: String) async throws {
        let client = TestClient(try bilingualApplication())
        let switched = await client.get(target)
        #expect(switched.status == .seeOther)
        #expect(switched.location == "/")
    }

    @Test func aPostWithLangDoesNotSwitch() async throws {
        let client = TestClient(try bilingualApplication())
        let response = await client.send(.post, "/page?lang=de")
        #expect(response.status != .seeOther)
        #expect(response.headers["Set-Cookie"] == nil)
    }
}
