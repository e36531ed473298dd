import Identity
import Accounts
import FakeProviders
import Foundation
import Testing
import WebTesting

/// Provider tokens are encrypted at rest and never shown (incumbent failure 7: plaintext tokens).
@Suite struct SocialTokenStorageTests {
    static let onSQLite = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] == nil

    /// Every byte SQLite keeps for the site: the database file and its write-ahead log.
    private func databaseBytes(_ site: TestSite) throws -> Data {
        var bytes = Data()
        for suffix in ["", "-wal", "-journal"] {
            let path = site.directory + "/site.sqlite3" + suffix
            if FileManager.default.fileExists(atPath: path) { bytes += try Data(contentsOf: URL(fileURLWithPath: path)) }
        }
        return bytes
    }

    @Test(.enabled(if: onSQLite, "reads the SQLite file"))
    func noTokenAppearsInTheDatabaseFile() async throws {
        try await SocialSite.with([.github, .oidc], gitHubKind: .gitHubApp) { social in
            let octocat = social.site.client()
            _ = try await social.signIn(with: "github", octocat)
            _ = try await social.signIn(with: "oidc", social.site.client())
            // A refresh sends the refresh token back to GitHub, which is how the test learns it.
            let link = try #require(try await social.link("github", uid: social.github.person.uid))
            try await social.site.services.database.write { db in
                try db.execute("UPDATE social_tokens SET expires_at = ? WHERE social_account_id = ?", Clock.now + 10, link.id)
            }
            _ = try await social.site.services.social.validAccessToken(accountID: link.id)
            let refreshTokens = social.github.requests(to: "/login/oauth/access_token").compactMap { $0.form["refresh_token"] }
            #expect(refreshTokens.count == 1)

            let secrets = social.github.issuedAccessTokens + social.oidc.issuedAccessTokens + refreshTokens
            #expect(secrets.count == 4)
            let bytes = try databaseBytes(social.site)
            // The ciphertexts are in these bytes, so the search below looks where the tokens would be.
            let ciphertext = try #require(try await social.site.query("SELECT access_token_enc FROM social_tokens").first?.string("access_token_enc"))
            #expect(bytes.range(of: Data(ciphertext.utf8)) != nil)
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "token \(secret.prefix(6))… stored in plaintext")
            }
            for prefix in ["ghu_", "ghr_"] { #expect(bytes.range(of: Data(prefix.utf8)) == nil) }

            let page = await octocat.get("/account")
            #expect(page.status.code == 200)
            for secret in secrets { #expect(!page.text.contains(secret)) }
            #expect(page.text.contains("<td data-label=\"Token\">active</td>"))
        }
    }

    @Test func ciphertextMovedToAnotherAccountDoesNotOpen() async throws {
        try await SocialSite.with([.github, .linkedin]) { social in
            _ = try await social.signIn(with: "github", social.site.client())
            _ = try await social.signIn(with: "linkedin", social.site.client())
            let github = try #require(try await social.link("github", uid: social.github.person.uid))
            let linkedIn = try #require(try await social.link("linkedin", uid: social.linkedIn.person.uid))
            try await social.site.services.database.write { db in
                try db.execute("""
                    UPDATE social_tokens SET access_token_enc = (SELECT access_token_enc FROM social_tokens WHERE social_account_id = ?)
                    WHERE social_account_id = ?
                    """, github.id, linkedIn.id)
            }
            await #expect(throws: (any Error).self) { try await social.site.services.social.validAccessToken(accountID: linkedIn.id) }
            #expect(try await social.site.services.social.validAccessToken(accountID: github.id) == social.github.issuedAccessTokens.last)
        }
    }

    @Test func tokenMaskShowsOnlyThePrefixAndLastFour() {
        #expect(TokenVault.mask("gho_16C7e42F292c6912E7710c838347Ae178B4a") == "gho_…8B4a")
        #expect(TokenVault.mask("EAAGm0PX4ZCpsBAKZBZCq") == "…BZCq")
        #expect(TokenVault.mask("short") == "••••")
    }
}
