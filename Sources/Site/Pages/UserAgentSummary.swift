import Glibc
import Localization

/// "Firefox on Windows": what a person recognises of a browser, from its `User-Agent` header.
///
/// Rules, not a database: the browsers and systems people use, checked in an order that
/// respects how agents imitate each other (Edge and Opera say "Chrome", Chrome says "Safari",
/// every Android agent says "Linux", iPads may say "Macintosh"). Anything unrecognised is
/// shown shortened as it came (`Display.shortBrowser`), never guessed.
enum UserAgentSummary {
    /// "Firefox on Windows", "Safari on iPhone", "Chrome on Android", or the agent shortened.
    static func describe(_ agent: String) -> String { describe(agent, .english) }

    /// The same in `translator`'s language: the names stay as they are, the words between them
    /// are translated ("Firefox unter Windows").
    static func describe(_ agent: String, _ translator: Translator) -> String {
        let browser = self.browser(agent), system = self.system(agent)
        switch (browser, system) {
        case let (browser?, system?): return translator.text("{{browser}} on {{system}}", ["browser": browser, "system": system])
        case let (browser?, nil): return browser
        case let (nil, system?) where !agent.hasPrefix("Mozilla/"):
            return translator.text("{{browser}} on {{system}}", ["browser": Display.shortBrowser(agent), "system": system])
        case let (nil, system?): return translator.text("A browser on {{system}}", ["system": system])
        case (nil, nil): return Display.shortBrowser(agent)
        }
    }

    /// The browser's name, or nil when it is not one people would recognise.
    static func browser(_ agent: String) -> String? {
        var agent = agent
        // Order matters: each agent also carries the names of those it imitates.
        let rules: [(token: StaticString, name: String)] = [
            ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("Edge/", "Edge"),
            ("OPR/", "Opera"), ("OPiOS/", "Opera"), ("Vivaldi/", "Vivaldi"), ("YaBrowser/", "Yandex Browser"),
            ("SamsungBrowser/", "Samsung Internet"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
            ("CriOS/", "Chrome"), ("Chromium/", "Chromium"), ("HeadlessChrome/", "Headless Chrome"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"), ("curl/", "curl"), ("python-requests/", "Python requests"), ("okhttp/", "OkHttp"),
        ]
        if contains(&agent, "Trident/") || contains(&agent, "MSIE ") { return "Internet Explorer" }
        for rule in rules where contains(&agent, rule.token) {
            // Only real Safari says "Version/"; an in-app web view on iOS says neither.
            if rule.name == "Safari" && !contains(&agent, "Version/") { continue }
            return rule.name
        }
        if contains(&agent, "AppleWebKit/") && (contains(&agent, "iPhone") || contains(&agent, "iPad")) { return "Safari" }
        return nil
    }

    /// The operating system or device, or nil.
    static func system(_ agent: String) -> String? {
        var agent = agent
        if contains(&agent, "iPhone") { return "iPhone" }
        if contains(&agent, "iPad") { return "iPad" }
        if contains(&agent, "Android") { return "Android" }
        if contains(&agent, "CrOS") { return "ChromeOS" }
        if contains(&agent, "Windows") { return "Windows" }
        if contains(&agent, "Macintosh") || contains(&agent, "Mac OS X") { return "macOS" }
        if contains(&agent, "Linux") || contains(&agent, "X11") { return "Linux" }
        return nil
    }

    /// A byte search: `String.contains` with Foundation imported goes through `NSString` and
    /// costs about 15,000 instructions a call, and the account page asks ~30 questions of every
    /// session's agent (issue 17).
    private static func contains(_ agent: inout String, _ token: StaticString) -> Bool {
        let count = token.utf8CodeUnitCount, needle = token.utf8Start
        return agent.withUTF8 { haystack in
            guard count > 0, count <= haystack.count, let start = haystack.baseAddress else { return count == 0 }
            for offset in 0...(haystack.count - count) where start[offset] == needle[0] {
                if memcmp(start + offset, needle, count) == 0 { return true }
            }
            return false
        }
    }
}
