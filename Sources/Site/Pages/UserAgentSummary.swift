/// "Firefox on Windows": what a person recognises of a browser, from its `User-Agent` header.
///
/// Rules, not a database: the browsers and systems people use, checked in an order that
/// respects how agents imitate each other (Edge and Opera say "Chrome", Chrome says "Safari",
/// every Android agent says "Linux", iPads may say "Macintosh"). Anything unrecognised is
/// shown shortened as it came (`Display.shortBrowser`), never guessed.
enum UserAgentSummary {
    /// "Firefox on Windows", "Safari on iPhone", "Chrome on Android", or the agent shortened.
    static func describe(_ agent: String) -> String {
        let browser = self.browser(agent), system = self.system(agent)
        switch (browser, system) {
        case let (browser?, system?): return "\(browser) on \(system)"
        case let (browser?, nil): return browser
        case let (nil, system?) where !agent.hasPrefix("Mozilla/"): return "\(Display.shortBrowser(agent)) on \(system)"
        case let (nil, system?): return "A browser on \(system)"
        case (nil, nil): return Display.shortBrowser(agent)
        }
    }

    /// The browser's name, or nil when it is not one people would recognise.
    static func browser(_ agent: String) -> String? {
        // Order matters: each agent also carries the names of those it imitates.
        let rules: [(token: String, name: String)] = [
            ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("Edge/", "Edge"),
            ("OPR/", "Opera"), ("OPiOS/", "Opera"), ("Vivaldi/", "Vivaldi"), ("YaBrowser/", "Yandex Browser"),
            ("SamsungBrowser/", "Samsung Internet"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
            ("CriOS/", "Chrome"), ("Chromium/", "Chromium"), ("HeadlessChrome/", "Headless Chrome"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"), ("curl/", "curl"), ("python-requests/", "Python requests"), ("okhttp/", "OkHttp"),
        ]
        if agent.contains("Trident/") || agent.contains("MSIE ") { return "Internet Explorer" }
        for rule in rules where agent.contains(rule.token) {
            // Only real Safari says "Version/"; an in-app web view on iOS says neither.
            if rule.token == "Safari/" && !agent.contains("Version/") { continue }
            return rule.name
        }
        if agent.contains("AppleWebKit/") && (agent.contains("iPhone") || agent.contains("iPad")) { return "Safari" }
        return nil
    }

    /// The operating system or device, or nil.
    static func system(_ agent: String) -> String? {
        if agent.contains("iPhone") { return "iPhone" }
        if agent.contains("iPad") { return "iPad" }
        if agent.contains("Android") { return "Android" }
        if agent.contains("CrOS") { return "ChromeOS" }
        if agent.contains("Windows") { return "Windows" }
        if agent.contains("Macintosh") || agent.contains("Mac OS X") { return "macOS" }
        if agent.contains("Linux") || agent.contains("X11") { return "Linux" }
        return nil
    }
}
