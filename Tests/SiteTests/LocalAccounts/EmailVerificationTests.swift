import Accounts
import Site
import Foundation
import Identity
import IdentityWeb
import Testing
import Web
import WebTesting

/// Issue 12: an address is proven by a code mailed at sign-up (`WDJB-MJHT`, hashed, 15 minutes,
/// five tries, resends limited); until then pages say so.
@Suite struct EmailVerificationTests {
    func mailedCode(_ site: TestSite) async throws -> String { try await site.mailedCode() }

    func verify(_ client: TestClient, _ code: String) async -> TestResponse {
        await client.submit("/account/email/verify", [("code", code)], tokenFrom: "/account")
    }

    @Test func theMailedCodeVerifiesTheAddressAndWrongOnesCountDown() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        await client.signUp("ada")
        let page = await client.get("/account")
        #expect(page.text.contains("is not verified yet"))
        #expect(page.text.contains("Verify your email address"))
        let code = try await mailedCode(site)
        #expect(code.range(of: #"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$"#, options: .regularExpression) != nil)
        #expect(try await site.query("SELECT code_hash FROM email_verifications").first?.string("code_hash") != code, "only a hash is kept")

        let wrong = await verify(client, "BBBB-BBBB")
        #expect(wrong.status.code == 422)
        #expect(wrong.text.contains("4 tries left"))
        let right = await verify(client, code.lowercased().replacingOccurrences(of: "-", with: " "))
        #expect(right.status.code == 303, "case, spaces and the dash do not matter")
        #expect(try await site.user("ada")?.emailVerified == true)
        #expect(!(await client.get("/account").text.contains("is not verified yet")))
        #expect(await verify(client, code).status.code == 422, "a code works once")
    }

    @Test func fiveWrongCodesOrFifteenMinutesKillTheCodeAndResendsAreLimited() async throws {
        let site = try await TestSite.make()
        let client = site.client()
        await client.signUp("ada")
        let code = try await mailedCode(site)
        for _ in 0..<5 { await verify(client, "BBBB-BBBB") }
        let dead = await verify(client, code)
        #expect(dead.status.code == 422)
        #expect(dead.text.contains("expired or was tried too often"))

        await client.submit("/account/email/verify/resend", [], tokenFrom: "/account")
        let fresh = try await mailedCode(site)
        _ = try await site.services.database.write { db in try db.execute("UPDATE email_verifications SET expires_at = ?", Clock.now - 1) }
        #expect(await verify(client, fresh).status.code == 422, "void after 15 minutes")
        #expect(try await site.user("ada")?.emailVerified == false)

        for _ in 0..<3 { await client.submit("/account/email/verify/resend", [], tokenFrom: "/account") }
        let limited = await client.follow(await client.submit("/account/email/verify/resend", [], tokenFrom: "/account"))
        #expect(limited.flashes.contains { $0.contains("several codes already") })
    }

    /// `ACCOUNT_EMAIL_VERIFICATION=mandatory`: until the code is entered, the account can only
    /// verify (or sign out).
    @Test func mandatoryVerificationHoldsEverythingElseBack() async throws {
        let site = try await TestSite.make(["ACCOUNT_EMAIL_VERIFICATION": "mandatory"])
        let client = site.client()
        let waiting = await client.signUp("ada", skipVerification: false)
        #expect(waiting.text.contains("Check your email"))
        #expect(!waiting.text.contains("Continue without verifying"), "no way around the code")
        #expect(await client.get("/account").status.code == 303, "not signed in before the code")
        // Signing in with the password (the code page was left behind) lands on the code form.
        #expect(await client.signIn("ada").status.code == 303)
        let home = await client.get("/")
        #expect(home.status.code == 303)
        #expect(home.location == "/account#verify-email")
        #expect(await client.get("/account").status.code == 200, "the code form stays reachable")
        #expect(await client.changePassword(current: "correct horse battery", new: "another good passphrase").status.code == 403)
        let code = try await mailedCode(site)
        #expect(await verify(client, code).status.code == 303)
        #expect(await client.get("/").status.code == 200)
        #expect(throws: ConfigurationError.self) {
            try SiteConfiguration(environment: ["ACCOUNT_EMAIL_VERIFICATION": "mandatory", "EMAIL_URL": "off"])
        }
    }
}
