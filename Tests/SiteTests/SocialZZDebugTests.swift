import Testing
import WebTesting
@Suite struct SocialZZDebugTests {
    @Test func debugLogin() async throws {
        let site = try await TestSite.make()
        let r = await site.client().get("/login")
        print("STATUS", r.status.code, r.text.prefix(600))
        for l in site.logs.lines { print("LOG", l) }
    }
}
