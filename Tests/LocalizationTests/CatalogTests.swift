import Testing
@testable import Localization

@Suite struct CatalogTests {
    let german = """
    # Comments are skipped.
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

    msgid "Sign in"
    msgstr "Anmelden"

    #, fuzzy
    msgid "Sign out"
    msgstr "Abmelden?"

    msgid "Untranslated"
    msgstr ""

    msgctxt "month"
    msgid "May"
    msgstr "Mai"

    msgid "Signed in as <strong>{{username}}</strong>"
    msgstr ""
    "Angemeldet als "
    "<strong>{{username}}</strong>"

    msgid "{{count}} session"
    msgid_plural "{{count}} sessions"
    msgstr[0] "{{count}} Sitzung"
    msgstr[1] "{{count}} Sitzungen"
    msgid "A \\"quoted\\" word\\n"
    msgstr "Ein \\"zitiertes\\" Wort\\n"
    """

    @Test func readsTranslationsContextsPluralsAndContinuedStrings() throws {
        var catalog = Catalog()
        try catalog.add(poText: german, file: "de/site.po")
        #expect(catalog.pluralCount == 2)
        #expect(catalog.entry("Sign in")?.forms == ["Anmelden"])
        #expect(catalog.entry("May", context: "month")?.forms == ["Mai"])
        #expect(catalog.entry("May") == nil)
        #expect(catalog.entry("Signed in as <strong>{{username}}</strong>")?.forms == ["Angemeldet als <strong>{{username}}</strong>"])
        #expect(catalog.entry("{{count}} session")?.forms == ["{{count}} Sitzung", "{{count}} Sitzungen"])
        #expect(catalog.entry("A \"quoted\" word\n")?.forms == ["Ein \"zitiertes\" Wort\n"])
    }

    @Test func leavesOutFuzzyAndEmptyTranslations() throws {
        var catalog = Catalog()
        try catalog.add(poText: german, file: "de/site.po")
        #expect(catalog.entry("Sign out") == nil)
        #expect(catalog.entry("Untranslated") == nil)
    }

    @Test func refusesAMessageTranslatedTwoWays() throws {
        var catalog = Catalog()
        try catalog.add(poText: "msgid \"Save\"\nmsgstr \"Speichern\"\n", file: "de/a.po")
        try catalog.add(poText: "msgid \"Save\"\nmsgstr \"Speichern\"\n", file: "de/b.po")
        #expect(throws: CatalogError.self) {
            try catalog.add(poText: "msgid \"Save\"\nmsgstr \"Sichern\"\n", file: "de/c.po")
        }
    }

    @Test(arguments: [
        "msgid \"a\"\nmsgstr \"b",
        "msgid \"a\"\nmsgstr b",
        "msgid \"a\"\nmsgwhat \"b\"",
        "\"orphan\"",
        "msgid \"a\"\nmsgid \"b\"\nmsgstr \"c\"",
        "msgid \"a\"\nmsgstr[0] \"b\"",
        "msgid \"a\\q\"\nmsgstr \"b\"",
        "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[1] \"b\"",
        "msgstr \"b\"",
    ])
    func refusesMalformedFilesWithALocation(_ text: String) {
        #expect(throws: CatalogError.self) {
            var catalog = Catalog()
            try catalog.add(poText: text, file: "de/bad.po")
        }
    }
}
