import Accounts
import FakeProviders
import Foundation
import Identity
import Testing
import Web
import WebTesting

/// Issue 14, item 6: "Download your data" hands over everything kept about the person, and no
/// secret at all.
@Suite struct DataExportTests {
    @Test func exportHasTheirDataAndNoSecrets() async throws {
        try await SocialSite.with([.github]) { social in
            let site = social.site
            let alice = try await site.createUser("alice")
            let client = site.client()
            await client.signIn("alice")
            _ = try await social.connect("github", client)
            let grant = try #require(social.github.issuedAccessTokens.last)
            let issued = try await site.services.database.write { db in
                try APITokenRepository.issue(userID: alice.id, lifetime: 3600, now: Clock.now, client: "GitHub · curl/8", in: db)
            }

            let response = await client.get("/account/export")
            #expect(response.status.code == 200)
            #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
            #expect(response.headers["Content-Disposition"]?.hasPrefix("attachment; filename=\"latchkey-alice-") == true)
            let json = try #require(response.jsonObject())
            let profile = try #require(json["profile"] as? [String: Any])
            #expect(profile["username"] as? String == "alice" && profile["email"] as? String == "alice@example.com")
            let linked = try #require(json["linked_accounts"] as? [[String: Any]])
            #expect(linked.count == 1 && linked.first?["provider"] as? String == "github")
            #expect(linked.first?["provider_uid"] as? String == social.github.person.uid)
            let sessions = try #require(json["sessions"] as? [[String: Any]])
            #expect(sessions.count == 1 && sessions.first?["current"] as? Bool == true)
            #expect(sessions.first?.keys.contains { $0.contains("id") } == false)
            let tokens = try #require(json["api_tokens"] as? [[String: Any]])
            #expect(tokens.count == 1 && tokens.first?["client"] as? String == "GitHub · curl/8")
            let audit = try #require(json["audit_log"] as? [[String: Any]])
            #expect(audit.contains { $0["action"] as? String == "social_connect" && $0["by"] as? String == "you" })
            #expect(json["second_factors"] is [String: Any])

            // No secret, in any form.
            let text = response.text
            let sessionHash = SessionMiddleware.hash(try #require(client.sessionID))
            let passwordHash = try #require(try await site.passwordHash(of: "alice"))
            for secret in [grant, issued.token, APITokenRepository.hash(issued.token), try #require(client.sessionID), sessionHash,
                           passwordHash, TestSite.password] {
                #expect(!text.contains(secret))
            }
            #expect(!text.contains("token_hash") && !text.contains("password_hash") && !text.contains("access_token"))
        }
    }

    @Test func exportNeedsASignedInPerson() async throws {
        let site = try await TestSite.make()
        #expect(await site.client().get("/account/export").location == "/login?next=%2Faccount%2Fexport")
    }
}
