import Foundation
import Site
import Testing
import Web
import WebTesting

/// A session ended elsewhere (sign-out, "sign out of other sessions", a password change) stays
/// ended, even if a request of that session was under way at the time.
@Suite struct SessionEndingTests {
    /// An application with the site's session store and one route that ends every session in the
    /// middle of the request (as another device would), then writes to its own session.
    private func racingApplication(_ site: TestSite) -> Application {
        let router = Router()
        let database = site.services.database
        router.get("/race") { _, context in
            _ = context.session.userID
            _ = try await database.write { db in try db.execute("DELETE FROM sessions") }
            context.session["note"] = "written after the session was ended"
            return "done"
        }
        let sessions = SessionMiddleware(store: site.services.sessions, settings: .init(cookieName: SiteApplication.sessionCookie))
        return Application(responder: router.responder(middleware: [sessions]))
    }

    @Test func requestInFlightDoesNotBringBackAnEndedSession() async throws {
        let site = try await TestSite.make()
        try await site.createUser("alice")
        let browser = site.client()
        await browser.signIn("alice")
        let id = try #require(browser.sessionID)

        let racing = TestClient(racingApplication(site))
        racing.setCookie(SiteApplication.sessionCookie, id)
        let response = await racing.get("/race")
        #expect(response.status.code == 200)
        #expect(try await site.count("sessions") == 0)
        #expect(response.setCookie().map { TestResponse.cookieAttributes($0).contains("Max-Age=0") } == true)
        #expect(await browser.get("/account").status.code == 303)
    }
}
