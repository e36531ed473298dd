import Testing
@testable import Localization

@Suite struct NegotiationTests {
    let translations = Translations(translators: [.english, Translator(language: .german, catalog: Catalog())])

    @Test(arguments: [
        ("de", "de"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("de-AT", "de"),
        ("en-US,en;q=0.9,de;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4", "de"),
        ("fr, en;q=0.1, de;q=0.2", "de"),
        ("de;q=0, en", "en"),
        ("DE", "de"),
        ("en;q=0.5, de;q=0.5", "en"),
        ("*", "en"),
    ])
    func picksTheBestLanguageWeSpeak(header: String, expected: String) {
        #expect(translations.negotiate(header[...])?.code == expected)
    }

    @Test(arguments: ["", "fr", "fr;q=1, de;q=0", ",,,;;;", "q=", String(repeating: "x", count: 5_000)])
    func answersNothingWhenNothingMatches(header: String) {
        #expect(translations.negotiate(header[...]) == nil)
    }

    @Test(arguments: ["en;q=0.5, de;q=abc", "en;q=0.5, de;q=2", "en;q=0.5, de;q=0.1234"])
    func aMalformedQualityCountsAsOne(header: String) {
        #expect(translations.negotiate(header[...])?.code == "de")
    }
}
