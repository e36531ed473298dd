import Accounts
import FakeProviders
import Foundation
import Testing
import Web
import WebTesting

/// An administrator connects the site's own Facebook Page credential: checked with debug_token,
/// stored encrypted, shown with its validity and expiry, reconnected and removed.
@Suite struct AdminSiteConnectionTests {
    @Test func connectsChecksAndRemovesAFacebookPageToken() async throws {
        try await SocialSite.with([.facebook]) { social in
            let site = social.site
            let admin = try await site.adminClient()
            let token = try await APIFrontEnd.facebook(social.facebook).accessToken
            let connected = await admin.follow(await admin.adminPost("/admin/site-connections", [("page_id", "1122334455"), ("access_token", token)]))
            #expect(connected.flashes.contains { $0.contains("Connected Facebook Page 1122334455") }, "\(connected.flashes)")
            let rows = try await site.query("SELECT id, token_enc, is_valid FROM site_credentials")
            #expect(rows.count == 1)
            #expect(try rows[0].bool("is_valid"))
            #expect(try !rows[0].string("token_enc").contains(token))
            #expect(try await site.auditCount("site_credential_connected") == 1)
            #expect(connected.text.contains("1122334455"))
            #expect(connected.text.contains(TokenVault.mask(token)))
            #expect(!connected.text.contains(token))

            // Facebook expires the token: the page says so (debug_token is asked on every visit).
            social.facebook.expireToken(token)
            let page = await admin.get("/admin/site-connections")
            #expect(page.text.contains("invalid: reconnect"))
            #expect(try await site.query("SELECT is_valid FROM site_credentials").first?.bool("is_valid") == false)

            // Reconnecting the same Page replaces its token.
            let fresh = try await APIFrontEnd.facebook(social.facebook).accessToken
            await admin.adminPost("/admin/site-connections", [("page_id", "1122334455"), ("access_token", fresh)])
            #expect(try await site.count("site_credentials") == 1)
            #expect(try await site.query("SELECT is_valid FROM site_credentials").first?.bool("is_valid") == true)

            let id = try rows[0].int64("id")
            await admin.adminPost("/admin/site-connections/\(id)/check")
            #expect(try await site.auditCount("site_credential_checked") == 1)
            await admin.adminPost("/admin/site-connections/\(id)/remove")
            #expect(try await site.count("site_credentials") == 0)
            #expect(try await site.auditCount("site_credential_removed") == 1)
            #expect(await admin.adminPost("/admin/site-connections/\(id)/remove").status.code == 404)
        }
    }

    @Test func refusesAnotherAppsTokenAndABadPageID() async throws {
        try await SocialSite.with([.facebook]) { social in
            let admin = try await social.site.adminClient()
            social.facebook.addApp(id: "9999999999", secret: "other-secret")
            let foreign = try await APIFrontEnd.facebook(social.facebook, appID: "9999999999", secret: "other-secret").accessToken
            let refused = await admin.follow(await admin.adminPost("/admin/site-connections", [("page_id", "123"), ("access_token", foreign)]))
            #expect(refused.flashes.contains { $0.contains("another app") }, "\(refused.flashes)")
            let ours = try await APIFrontEnd.facebook(social.facebook).accessToken
            let badID = await admin.follow(await admin.adminPost("/admin/site-connections", [("page_id", "../1"), ("access_token", ours)]))
            #expect(badID.flashes.contains { $0.contains("numeric") })
            #expect(try await social.site.count("site_credentials") == 0)
        }
    }
}
