import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// OpenID Connect's demands on the sign-in behind an authorization (Core §3.1.2.1): `prompt=login`
/// and `max_age` send a signed-in user to sign in again, `acr_values=2` asks for the second
/// factor (step-up), and `prompt=none` answers `login_required` instead of asking.
@Suite struct AuthenticationRequirementTests {
    /// Follows the sign-in detour of an authorization request: the form (shown even though the
    /// browser is signed in), the password, back to the request, the code.
    static func signInAgain(_ browser: TestClient, for response: TestResponse) async throws -> TestResponse {
        try #require(response.status == .seeOther, "expected the sign-in detour, got \(response.status.code)")
        let location = try #require(response.location)
        #expect(location.hasPrefix("/login?next="))
        let form = await browser.get(location)
        try #require(form.status == .ok, "the sign-in form is shown to a signed-in visitor asked to sign in again")
        #expect(form.text.contains("sign in again"))
        let next = try #require(queryParameters(location)["next"])
        let signedIn = await browser.signIn("alice", next: next)
        #expect(signedIn.location == next)
        return await browser.get(next)
    }

    @Test func promptLoginShowsTheSignInFormToASignedInUser() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        provider.clock.advance(100)
        let parameters = authorizeParameters(client, extra: [("prompt", "login")])
        let back = try await Self.signInAgain(browser, for: await browser.get(authorizePath(parameters)))
        #expect(back.status == .found)
        let code = try #require(queryParameters(back.location)["code"])
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider)
        #expect(claims.int("auth_time") == provider.clock.now, "auth_time is the new sign-in")

        let again = await browser.get(authorizePath(parameters))
        #expect(again.location?.hasPrefix("/login?next=") == true, "each prompt=login request asks again")
    }

    @Test func maxAgeSendsAnOldSignInBackToTheForm() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        provider.clock.advance(200)

        let fresh = await browser.get(authorizePath(authorizeParameters(client, extra: [("max_age", "300")])))
        #expect(fresh.status == .found, "a sign-in 200 s ago satisfies max_age=300")
        #expect(queryParameters(fresh.location)["code"] != nil)

        let stale = await browser.get(authorizePath(authorizeParameters(client, extra: [("max_age", "100")])))
        let back = try await Self.signInAgain(browser, for: stale)
        #expect(back.status == .found)
        let code = try #require(queryParameters(back.location)["code"])
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider)
        #expect(claims.int("auth_time") == provider.clock.now)
    }

    @Test func maxAgeZeroAlwaysAsks() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let parameters = authorizeParameters(client, extra: [("max_age", "0")])
        let back = try await Self.signInAgain(browser, for: await browser.get(authorizePath(parameters)))
        #expect(back.status == .found, "the sign-in made for this request satisfies it")
        #expect(queryParameters(back.location)["code"] != nil)
    }

    @Test func promptNoneWithAStaleSignInIsLoginRequired() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        provider.clock.advance(1000)
        let reply = await browser.get(authorizePath(authorizeParameters(client, extra: [("prompt", "none"), ("max_age", "60")])))
        #expect(reply.status == .found)
        let query = queryParameters(reply.location)
        #expect(reply.location?.hasPrefix(client.redirectURI) == true)
        #expect(query["error"] == "login_required")
        #expect(query["state"] == "xyz-state")
        #expect(query["iss"] == TestProvider.issuer)
    }

    @Test func acrValuesStepUpToTheSecondFactor() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        // Set up while signed in with the password only: the session stays a one-factor one.
        let app = try await browser.enrollAuthenticatorApp(at: provider.clock.now)

        let plain = try await browser.authorizationCode(authorizeParameters(client))
        #expect(try await browser.idTokenClaims(code: plain, client: client, provider: provider).string("acr") == "1")

        let either = await browser.get(authorizePath(authorizeParameters(client, extra: [("acr_values", "2 1")])))
        #expect(queryParameters(either.location)["code"] != nil, "level 1 is acceptable to this client")
        let none = await browser.get(authorizePath(authorizeParameters(client, extra: [("acr_values", "2"), ("prompt", "none")])))
        #expect(queryParameters(none.location)["error"] == "login_required")

        let parameters = authorizeParameters(client, extra: [("acr_values", "2")])
        let stepUp = await browser.get(authorizePath(parameters))
        #expect(stepUp.status == .seeOther)
        #expect(stepUp.location == "/login/second-factor")
        provider.clock.advance(30)
        let done = await browser.secondFactor(app.code(at: provider.clock.now))
        #expect(done.location == authorizePath(parameters))
        let back = await browser.get(authorizePath(parameters))
        let code = try #require(queryParameters(back.location)["code"])
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider)
        #expect(claims.string("acr") == "2")
        #expect(claims["amr"] == ["pwd", "otp", "mfa"])

        let later = await browser.get(authorizePath(parameters))
        #expect(queryParameters(later.location)["code"] != nil, "the session is two-factor now")
    }

    @Test func promptLoginForAnAccountWithASecondFactorAsksForBothAgain() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let app = try await browser.enrollAuthenticatorApp(at: provider.clock.now)
        let parameters = authorizeParameters(client, extra: [("prompt", "login")])
        let detour = await browser.get(authorizePath(parameters))
        let next = try #require(queryParameters(detour.location)["next"])
        #expect(await browser.signIn("alice", next: next).location == "/login/second-factor")
        let early = await browser.get(next)
        #expect(early.location?.hasPrefix("/login?next=") == true, "the password alone does not finish the new sign-in")
        #expect(await browser.signIn("alice", next: next).location == "/login/second-factor")
        provider.clock.advance(30)
        #expect(await browser.secondFactor(app.code(at: provider.clock.now)).location == next)
        let back = await browser.get(next)
        let code = try #require(queryParameters(back.location)["code"])
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider)
        #expect(claims["amr"] == ["pwd", "otp", "mfa"])
        #expect(claims.int("auth_time") == provider.clock.now)
    }

    @Test func acrValuesForAnAccountWithoutASecondFactorGetTheLowerLevel() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let code = try await browser.authorizationCode(authorizeParameters(client, extra: [("acr_values", "2")]))
        let claims = try await browser.idTokenClaims(code: code, client: client, provider: provider)
        #expect(claims.string("acr") == "1", "acr_values is a request; the client sees what happened and decides")
    }

    @Test(arguments: ["-1", "abc", "", "1.5", " 60", "123456789012345678901"])
    func malformedMaxAgeIsInvalidRequest(value: String) async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        let reply = await browser.get(authorizePath(authorizeParameters(client, extra: [("max_age", value)])))
        #expect(reply.status == .found)
        #expect(queryParameters(reply.location)["error"] == "invalid_request")
    }

    @Test func oddButWellFormedValuesAreHandled() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(skipConsent: true)
        let browser = provider.browser()
        await browser.signIn("alice")
        for extra in [[("max_age", "99999999999999999999")], [("acr_values", "urn:unknown 0 3 ☃")], [("acr_values", "")]] {
            let reply = await browser.get(authorizePath(authorizeParameters(client, extra: extra)))
            #expect(reply.status == .found, "\(extra)")
            #expect(queryParameters(reply.location)["code"] != nil, "\(extra)")
        }
        let twice = await browser.get(authorizePath(authorizeParameters(client, extra: [("max_age", "5"), ("max_age", "6")])))
        #expect(queryParameters(twice.location)["error"] == "invalid_request")
    }

    @Test func discoveryAdvertisesTheACRValuesAndClaims() async throws {
        let provider = try await TestProvider.make()
        let document = await provider.browser().get("/.well-known/openid-configuration")
        #expect(document.fields["acr_values_supported"] as? [String] == ["1", "2"])
        let claims = try #require(document.fields["claims_supported"] as? [String])
        #expect(claims.contains("amr") && claims.contains("acr") && claims.contains("auth_time"))
    }
}
