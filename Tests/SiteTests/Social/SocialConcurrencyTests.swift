import Testing
import WebTesting

/// Two callbacks for the same new provider account arriving at once (a double click, two tabs)
/// create one user, not two, and neither ends in an error.
@Suite struct SocialConcurrencyTests {
    @Test func simultaneousCallbacksForOneNewAccountCreateOneUser() async throws {
        try await SocialSite.with([.github]) { social in
            let browsers = [social.site.client(), social.site.client(), social.site.client()]
            var callbacks: [String] = []
            for browser in browsers { callbacks.append(try await social.approve(await social.start("github", browser))) }

            let statuses = await withTaskGroup(of: Int.self) { group in
                for (browser, callback) in zip(browsers, callbacks) {
                    group.addTask { await browser.get(callback).status.code }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == [303, 303, 303])
            #expect(try await social.rows() == SocialSite.Rows(users: 1, links: 1, tokens: 1))
            for browser in browsers { #expect(await social.signedInUsername(browser) == "octocat") }
        }
    }
}
