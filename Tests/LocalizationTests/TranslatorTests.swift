import Testing
@testable import Localization

@Suite struct TranslatorTests {
    static func german() throws -> Translator {
        var catalog = Catalog()
        try catalog.add(poText: """
        msgid "Sign in"
        msgstr "Anmelden"

        msgid "Signed in as <strong>{{username}}</strong>"
        msgstr "Angemeldet als <strong>{{username}}</strong>"

        msgid "{{name}} no longer has access."
        msgstr "{{name}} hat keinen Zugriff mehr."

        msgid "{{count}} recovery code left"
        msgid_plural "{{count}} recovery codes left"
        msgstr[0] "Noch {{count}} Wiederherstellungscode"
        msgstr[1] "Noch {{count}} Wiederherstellungscodes"

        msgctxt "thousands separator"
        msgid ","
        msgstr "."

        msgctxt "month"
        msgid "Dec"
        msgstr "Dez."

        msgctxt "date format"
        msgid "{{day}} {{month}} {{year}}"
        msgstr "{{day}}. {{month}} {{year}}"
        """, file: "de/test.po")
        return Translator(language: .german, catalog: catalog)
    }

    @Test func translatesAndFillsArguments() throws {
        let german = try Self.german()
        #expect(german.text("Sign in") == "Anmelden")
        #expect(german.text("{{name}} no longer has access.", ["name": "Zeitplan"]) == "Zeitplan hat keinen Zugriff mehr.")
        #expect(german.text("Not in the catalog") == "Not in the catalog")
        #expect(Translator.english.text("{{name}} left", ["name": "<b>"]) == "<b> left")
    }

    @Test func anUnknownPlaceholderStaysVisible() {
        #expect(Translator.english.text("Hello {{who}}", [:]) == "Hello {{who}}")
        #expect(Translator.english.text("Hello {{who}}", ["other": "x"]) == "Hello {{who}}")
    }

    @Test func choosesPluralFormsByTheLanguagesRule() throws {
        let german = try Self.german()
        let one = "{{count}} recovery code left", other = "{{count}} recovery codes left"
        #expect(german.plural(one: one, other: other, count: 1) == "Noch 1 Wiederherstellungscode")
        #expect(german.plural(one: one, other: other, count: 0) == "Noch 0 Wiederherstellungscodes")
        #expect(german.plural(one: one, other: other, count: 1_200) == "Noch 1.200 Wiederherstellungscodes")
        #expect(Translator.english.plural(one: one, other: other, count: 1) == "1 recovery code left")
        #expect(Translator.english.plural(one: one, other: other, count: 2_500) == "2,500 recovery codes left")
        #expect(german.text(Message(one: one, other: other, count: 3)) == "Noch 3 Wiederherstellungscodes")
    }

    @Test func printsNumbersAndDatesPerLanguage() throws {
        let german = try Self.german()
        #expect(Translator.english.number(1_234_567) == "1,234,567")
        #expect(german.number(1_234_567) == "1.234.567")
        #expect(german.number(-1_000) == "-1.000")
        #expect(german.number(999) == "999")
        // 2026-12-03 14:05:09 UTC
        #expect(Translator.english.date(1_796_306_709) == "3 Dec 2026")
        #expect(german.date(1_796_306_709) == "3. Dez. 2026")
        #expect(Translator.english.dateTime(1_796_306_709) == "3 Dec 2026, 14:05 UTC")
        #expect(german.dateTime(1_796_306_709) == "3. Dez. 2026, 14:05 UTC")
    }

    @Test func civilTimeMatchesKnownDates() {
        #expect(CivilTime(0) == CivilTime(0))
        let epoch = CivilTime(0)
        #expect((epoch.year, epoch.month, epoch.day) == (1970, 1, 1))
        let leap = CivilTime(951_782_400) // 2000-02-29
        #expect((leap.year, leap.month, leap.day) == (2000, 2, 29))
        let before = CivilTime(-1)
        #expect((before.year, before.month, before.day, before.secondOfDay) == (1969, 12, 31, 86_399))
    }

    @Test func localizesMarkedTemplateText() throws {
        let german = try Self.german()
        let source = "<h1>{{#_}}Sign in{{/_}}</h1><p>{{#_}}Signed in as\n    <strong>{{username}}</strong>{{/_}}</p>"
        #expect(try german.localizeTemplate(source, name: "t") == "<h1>Anmelden</h1><p>Angemeldet als <strong>{{username}}</strong></p>")
        #expect(try Translator.english.localizeTemplate(source, name: "t")
            == "<h1>Sign in</h1><p>Signed in as\n    <strong>{{username}}</strong></p>")
        #expect(try TranslationMarks.messageIDs(in: source, template: "t") == ["Sign in", "Signed in as <strong>{{username}}</strong>"])
    }

    @Test(arguments: ["{{#_}}open", "close{{/_}}", "{{#_}}a{{#_}}b{{/_}}"])
    func refusesMalformedMarks(_ source: String) throws {
        let german = try Self.german()
        #expect(throws: TemplateMarkupError.self) { try german.localizeTemplate(source, name: "t") }
    }
}
