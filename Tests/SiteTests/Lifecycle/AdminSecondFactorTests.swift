import Accounts
import Foundation
import Identity
import Testing
import Web
import WebTesting

/// Issue 14, item 7: administrators see each user's second factors, can reset them for a person
/// who lost theirs, and may be required to use one themselves.
@Suite struct AdminSecondFactorTests {
    /// Gives `userID` a confirmed authenticator app, `passkeys` passkeys and ten recovery codes,
    /// straight in the database (the enrolment pages are not this suite's subject).
    private func seedSecondFactors(_ site: TestSite, userID: Int64, passkeys: Int) async throws {
        try await site.services.database.write { db in
            _ = try db.execute("INSERT INTO totp_devices (user_id, secret_enc, confirmed_at, created_at) VALUES (?, 'sealed', 1, 1)", userID)
            for n in 0..<passkeys {
                _ = try db.execute("""
                    INSERT INTO webauthn_credentials (user_id, credential_id, public_key, alg, name, created_at) VALUES (?, ?, 'key', -7, ?, 1)
                    """, userID, "credential-\(userID)-\(n)", "Key \(n)")
            }
            _ = try RecoveryCodes.regenerate(userID: userID, now: 1, in: db)
        }
    }

    @Test func usersListAndUserPageShowSecondFactors() async throws {
        let site = try await TestSite.make()
        let root = try await site.adminClient("root")
        let bob = try await site.createUser("bob")
        try await seedSecondFactors(site, userID: bob.id, passkeys: 2)
        let list = await root.get("/admin/users")
        #expect(list.text.contains("<td data-mfa=\"\(bob.id)\">authenticator app, 2 passkeys, 10 recovery codes left</td>"))
        #expect(list.text.contains("<td data-mfa=\"1\">none</td>"))
        let page = await root.get("/admin/users/\(bob.id)")
        #expect(page.text.contains("<dd id=\"mfa-status\">authenticator app, 2 passkeys, 10 recovery codes left</dd>"))
        #expect(page.text.contains("/admin/users/\(bob.id)/mfa/reset"))
    }

    @Test func resettingRemovesEveryFactorAuditsAndMailsTheOwner() async throws {
        let site = try await TestSite.make()
        let root = try await site.adminClient("root")
        let admin = try #require(try await site.user("root"))
        let bob = try await site.createUser("bob")
        try await seedSecondFactors(site, userID: bob.id, passkeys: 1)
        _ = try await site.deliverMail()

        let response = await root.adminPost("/admin/users/\(bob.id)/mfa/reset")
        #expect(response.location == "/admin/users/\(bob.id)")
        #expect(await root.follow(response).flashes == ["Removed the second factors of bob (authenticator app, 1 passkey, 10 recovery codes left)."])
        let status = try await site.services.database.read { db in try SecondFactorStatus.of(bob.id, in: db) }
        #expect(status == .none)
        #expect(try await site.count("recovery_codes") == 0)
        let audit = try await site.auditRows("admin_mfa_reset")
        #expect(audit.count == 1)
        #expect(audit.first?.actor == admin.id && audit.first?.target == bob.id)
        #expect(audit.first?.detail == "totp=1 passkeys=1 recovery_codes=10")
        let mail = try await site.deliverMail()
        #expect(mail.contains { $0.to == ["bob@example.com"] && $0.text.contains("An administrator just removed the authenticator app") })
        // Again: nothing to remove, nothing recorded.
        let again = await root.adminPost("/admin/users/\(bob.id)/mfa/reset")
        #expect(await root.follow(again).flashes == ["bob had no second factor; nothing was changed."])
        #expect(try await site.auditCount("admin_mfa_reset") == 1)
    }

    @Test func requireMFAForAdminsBlocksAnAdminSignedInWithoutASecondFactor() async throws {
        let site = try await TestSite.make(["REQUIRE_MFA_FOR_ADMINS": "1"])
        let root = try await site.adminClient("root")
        let bob = try await site.createUser("bob")
        let page = await root.get("/admin")
        #expect(page.status.code == 403)
        #expect(page.text.contains("Sign in with a second factor to use the admin console"))
        #expect(page.text.contains("href=\"/account\""))
        let token = await root.csrfToken(from: "/account")
        #expect(await root.post("/admin/users/\(bob.id)/disable", form: [("csrf_token", token)]).status.code == 403)
        #expect(try await site.user("bob")?.isDisabled == false)
        // Signed in with a second factor (as the sign-in step records it), the console opens.
        try await site.editSession(of: root) { $0["amr"] = "otp pwd" }
        #expect(await root.get("/admin").status.code == 200)
        // Without the setting, a password is enough.
        let plain = try await TestSite.make()
        #expect(await (try await plain.adminClient("root")).get("/admin").status.code == 200)
    }
}
