/// A language the apps speak: its code, its own name for the switcher, and its plural rule.
///
/// Adding one is a row in ``Language/known`` plus a folder of PO files; everything else a page
/// shows in it (month names, date order, the thousands separator) comes from its catalog.
public struct Language: Sendable, Hashable, Identifiable {
    /// The BCP 47 primary tag: `en`, `de`.
    public let code: String
    /// The language's name in itself, as the switcher shows it.
    public let name: String
    /// Which plural form a count takes.
    public let plural: PluralRule

    public var id: String { code }

    /// English: the language of every `msgid`, so it has no catalog.
    public static let english = Language(code: "en", name: "English", plural: .oneOther)
    /// German.
    public static let german = Language(code: "de", name: "Deutsch", plural: .oneOther)

    /// Every language a catalog folder may be named after.
    public static let known: [Language] = [english, german]
}

/// CLDR's plural rules for integers, as the catalogs' `Plural-Forms` headers number the forms.
public enum PluralRule: Sendable, Hashable {
    /// `one` for 1, `other` for everything else: English, German, Dutch, Swedish, ...
    /// (`Plural-Forms: nplurals=2; plural=(n != 1);`).
    case oneOther

    /// How many forms a message has.
    public var formCount: Int {
        switch self {
        case .oneOther: 2
        }
    }

    /// The index of the form `count` takes.
    public func form(for count: Int) -> Int {
        switch self {
        case .oneOther: count == 1 ? 0 : 1
        }
    }
}
