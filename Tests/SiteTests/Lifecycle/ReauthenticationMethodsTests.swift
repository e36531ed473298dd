import Accounts
import FakeProviders
import Foundation
import Identity
import Site
import Testing
import Web
import WebTesting

/// How each sign-in is recorded (`amr`), how long it stays fresh (`REAUTHENTICATION_TIMEOUT`),
/// and the last way to confirm for an account with neither a password nor mail.
@Suite struct ReauthenticationMethodsTests {
    @Test func signInWithACodeOrAProviderIsRecordedAsSuch() async throws {
        try await SocialSite.with([.github]) { social in
            let site = social.site
            try await site.createUser("bob")
            _ = try await site.deliverMail()
            let byCode = site.client()
            await byCode.submit("/login/code", [("identifier", "bob")], tokenFrom: "/login/code")
            let code = try await site.mailedCode(to: "bob@example.com")
            #expect(await byCode.submit("/login/code/enter", [("code", code)], tokenFrom: "/login/code/enter").location == "/account")
            #expect(try await site.sessionValues(of: byCode)["amr"] == "email")

            let byProvider = site.client()
            _ = try await social.signIn(with: "github", byProvider)
            #expect(try await site.sessionValues(of: byProvider)["amr"] == "fed")
            #expect(try await site.sessionValues(of: byProvider)["auth_at"] != nil)
        }
    }

    @Test func theTimeoutIsTheConfiguredOne() async throws {
        let site = try await TestSite.make(["REAUTHENTICATION_TIMEOUT": "60"])
        #expect(site.services.configuration.reauthenticationTimeout == 60)
        try await site.createUser("bob")
        let client = site.client()
        await client.signIn("bob")
        try await site.ageSignIn(of: client, by: 30)
        #expect(await client.get("/account/delete").status.code == 200)
        try await site.ageSignIn(of: client, by: 90)
        #expect(await client.get("/account/delete").location == "/account/reauthenticate?next=%2Faccount%2Fdelete")
        #expect(throws: ConfigurationError.self) { try SiteConfiguration(environment: ["REAUTHENTICATION_TIMEOUT": "0", "APP_ENV": "test"]) }
    }

    /// With mandatory verification, an unverified person may still fix a mistyped address,
    /// which asks them to confirm first: the confirmation page must not bounce them back.
    @Test func anUnverifiedPersonCanConfirmWhenVerificationIsMandatory() async throws {
        let site = try await TestSite.make(["ACCOUNT_EMAIL_VERIFICATION": "mandatory"])
        try await site.createUser("bob")
        let client = site.client()
        await client.signIn("bob")
        try await site.ageSignIn(of: client)
        let refused = await client.submit("/account/email", [("new_email", "bob@example.org"), ("email_password", TestSite.password)],
                                          tokenFrom: "/account")
        #expect(refused.location == "/account/reauthenticate?next=%2Faccount")
        let page = await client.follow(refused)
        #expect(page.status.code == 200 && page.text.contains("Confirm it is you"))
        let token = try #require(TestClient.hiddenField("csrf_token", in: page.text))
        #expect(await client.post("/account/reauthenticate", form: [("csrf_token", token), ("password", TestSite.password), ("next", "/account")])
            .location == "/account")
        let changed = await client.post("/account/email", form: [("csrf_token", token), ("new_email", "bob@example.org"),
                                                                 ("email_password", TestSite.password)])
        #expect(changed.location == "/account#change-email")
    }

    @Test func withoutPasswordOrMailALinkedProviderConfirms() async throws {
        try await SocialSite.with([.github], environment: ["EMAIL_URL": "off"]) { social in
            let client = social.site.client()
            _ = try await social.signIn(with: "github", client)
            try await social.site.ageSignIn(of: client)
            let page = await client.get("/account/reauthenticate?next=%2Faccount%2Fdelete")
            #expect(page.text.contains("Continue with GitHub") && !page.text.contains("name=\"password\""))
            let back = try await social.signIn(with: "github", client, next: "/account/delete")
            #expect(back.location == "/account/delete")
            #expect(await client.get("/account/delete").status.code == 200)
        }
    }
}
