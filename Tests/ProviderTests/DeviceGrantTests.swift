import Foundation
import Testing
import Web
import WebTesting
@testable import Provider

/// The device authorization grant (RFC 8628; issue 15, point 4).
@Suite struct DeviceGrantTests {
    static let grant = "urn:ietf:params:oauth:grant-type:device_code"

    func setUp(grants: Set<GrantType> = [.deviceCode, .refreshToken]) async throws -> (TestProvider, TestClient, TestOAuthClient) {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(redirectURIs: [], grants: grants, confidential: false)
        return (provider, provider.browser(), client)
    }

    func start(_ http: TestClient, _ client: TestOAuthClient, scope: String = "openid profile") async -> TestResponse {
        await http.post("/oauth/device_authorization", form: [("client_id", client.id), ("scope", scope)])
    }

    func poll(_ http: TestClient, _ client: TestOAuthClient, _ deviceCode: String) async -> TestResponse {
        await http.token([("grant_type", Self.grant), ("device_code", deviceCode), ("client_id", client.id)])
    }

    /// Signs `browser` in and types `code` on /device; returns the page that answers.
    func enter(_ browser: TestClient, _ code: String) async -> TestResponse {
        await browser.submit("/device", [("user_code", code)], tokenFrom: "/device")
    }

    func decide(_ browser: TestClient, _ decision: String) async -> TestResponse {
        await browser.submit("/device/decide", [("decision", decision)], tokenFrom: "/device")
    }

    @Test func aDeviceIsApprovedAndPollsItsTokens() async throws {
        let (provider, http, client) = try await setUp()
        let started = await start(http, client)
        #expect(started.status == .ok)
        let deviceCode = try #require(started.fields["device_code"] as? String)
        let userCode = try #require(started.fields["user_code"] as? String)
        #expect(userCode.range(of: "^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", options: .regularExpression) != nil)
        #expect(started.fields["verification_uri"] as? String == TestProvider.issuer + "/device")
        #expect(started.fields["verification_uri_complete"] as? String == TestProvider.issuer + "/device?user_code=" + userCode)
        #expect(started.fields["expires_in"] as? Int == 600)
        #expect(started.fields["interval"] as? Int == 5)

        #expect(await poll(http, client, deviceCode).oauthError == "authorization_pending")

        let browser = provider.browser()
        await browser.signIn("alice")
        let form = await browser.get("/device?user_code=" + userCode)
        #expect(form.text.contains("value=\"\(userCode)\""))
        // Case, dashes and spaces do not matter.
        let typed = " " + userCode.lowercased().replacingOccurrences(of: "-", with: " ") + " "
        let consent = await enter(browser, typed)
        #expect(consent.status == .ok)
        #expect(consent.text.contains("Test App"))
        #expect(consent.text.contains("See your username and name"))
        #expect(await decide(browser, "allow").text.contains("Your device is connected"))

        provider.clock.advance(5)
        let tokens = await poll(http, client, deviceCode)
        #expect(tokens.status == .ok)
        #expect(tokens.fields["access_token"] is String)
        #expect(tokens.fields["refresh_token"] is String)
        #expect(tokens.fields["id_token"] is String)
        provider.clock.advance(5)
        #expect(await poll(http, client, deviceCode).oauthError == "invalid_grant")
    }

    @Test func pollingTooFastSlowsDownByFiveSecondsEachTime() async throws {
        let (provider, http, client) = try await setUp()
        let deviceCode = try #require(await start(http, client).fields["device_code"] as? String)
        #expect(await poll(http, client, deviceCode).oauthError == "authorization_pending")
        provider.clock.advance(2)
        let fast = await poll(http, client, deviceCode)
        #expect(fast.status == .badRequest)
        #expect(fast.oauthError == "slow_down")
        #expect(fast.fields["error_description"] as? String == "Polling too fast; wait at least 10 seconds between requests.")
        provider.clock.advance(6)   // 8 s after the last accepted poll: enough before, too soon now
        #expect(await poll(http, client, deviceCode).oauthError == "slow_down")
        provider.clock.advance(15)
        #expect(await poll(http, client, deviceCode).oauthError == "authorization_pending")
        let rows = try await provider.query("SELECT interval_seconds FROM device_authorizations")
        #expect(try rows.first?.int("interval_seconds") == 15)
    }

    @Test func concurrentPollsGetOneAnswerAndTheRestSlowDown() async throws {
        let (provider, http, client) = try await setUp()
        let deviceCode = try #require(await start(http, client).fields["device_code"] as? String)
        let errors = await withTaskGroup(of: String.self) { group in
            for _ in 0..<10 { group.addTask { await poll(provider.browser(), client, deviceCode).oauthError ?? "none" } }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(errors.filter { $0 == "authorization_pending" }.count == 1)
        #expect(errors.filter { $0 == "slow_down" }.count == 9)
        #expect(try await provider.query("SELECT interval_seconds FROM device_authorizations").first?.int("interval_seconds") == 50)
    }

    @Test func anExpiredDeviceCodeIsExpiredToken() async throws {
        let (provider, http, client) = try await setUp()
        let started = await start(http, client)
        let deviceCode = try #require(started.fields["device_code"] as? String)
        provider.clock.advance(601)
        #expect(await poll(http, client, deviceCode).oauthError == "expired_token")
        let browser = provider.browser()
        await browser.signIn("alice")
        #expect(await enter(browser, try #require(started.fields["user_code"] as? String)).status == .unprocessableContent)
    }

    @Test func aDeniedDeviceIsAccessDenied() async throws {
        let (provider, http, client) = try await setUp()
        let started = await start(http, client)
        let deviceCode = try #require(started.fields["device_code"] as? String)
        let browser = provider.browser()
        await browser.signIn("alice")
        _ = await enter(browser, try #require(started.fields["user_code"] as? String))
        #expect(await decide(browser, "deny").text.contains("Request denied"))
        let reply = await poll(http, client, deviceCode)
        #expect(reply.oauthError == "access_denied")
        // A decision without a code looked up first goes back to the form.
        #expect(await decide(browser, "allow").status == .seeOther)
    }

    @Test func theDevicePageNeedsASignIn() async throws {
        let (_, http, _) = try await setUp()
        let response = await http.get("/device?user_code=WDJB-MJHT")
        #expect(response.status == .seeOther)
        #expect(response.location?.hasPrefix("/login?next=") == true)
    }

    @Test func wrongCodesAreRateLimitedPerAccount() async throws {
        let (provider, _, _) = try await setUp()
        let browser = provider.browser()
        await browser.signIn("alice")
        for _ in 0..<10 { #expect(await enter(browser, "BBBB-BBBB").status == .unprocessableContent) }
        let eleventh = await enter(browser, "BBBB-BBBB")
        #expect(eleventh.status == .tooManyRequests)
        #expect(eleventh.headers["Retry-After"] != nil)
        #expect(await enter(browser, "").status == .tooManyRequests)
    }

    @Test func otherDeviceCodesAreRefused() async throws {
        let (provider, http, client) = try await setUp()
        let deviceCode = try #require(await start(http, client).fields["device_code"] as? String)
        let other = try await provider.registerClient(name: "Other", redirectURIs: [], grants: [.deviceCode], confidential: false)
        #expect(await poll(http, other, deviceCode).oauthError == "invalid_grant")
        #expect(await poll(http, client, "not-a-device-code").oauthError == "invalid_grant")
        let missing = await http.token([("grant_type", Self.grant), ("client_id", client.id)])
        #expect(missing.oauthError == "invalid_request")
    }

    @Test func onlyClientsGivenTheGrantMayStartOne() async throws {
        let (provider, http, _) = try await setUp()
        let web = try await provider.registerClient(name: "Web")
        let refused = await http.post("/oauth/device_authorization", form: [], headers: web.basic)
        #expect(refused.oauthError == "unauthorized_client")
        let polled = await http.token([("grant_type", Self.grant), ("device_code", "x")], headers: web.basic)
        #expect(polled.oauthError == "unauthorized_client")
        let anonymous = await http.post("/oauth/device_authorization", form: [("client_id", "nobody")])
        #expect(anonymous.oauthError == "invalid_client")
    }

    @Test func scopesBeyondTheClientsAreRefused() async throws {
        let (provider, http, client) = try await setUp()
        #expect(await start(http, client, scope: "openid admin").oauthError == "invalid_scope")
        #expect(try await provider.count("device_authorizations") == 0)
    }

    @Test func discoveryListsTheDeviceGrant() async throws {
        let (_, http, _) = try await setUp()
        let metadata = await http.get("/.well-known/openid-configuration").fields
        #expect(metadata["device_authorization_endpoint"] as? String == TestProvider.issuer + "/oauth/device_authorization")
        #expect((metadata["grant_types_supported"] as? [String])?.contains(Self.grant) == true)
    }
}
