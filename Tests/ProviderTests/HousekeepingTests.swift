import Testing
import Web
import WebTesting
@testable import Provider

/// Expired codes and tokens do not pile up.
@Suite struct HousekeepingTests {
    @Test func longExpiredCodesAndTokensArePurged() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.authorizationCode, .password, .refreshToken], skipConsent: true)
        _ = try await provider.userTokens(client)
        let browser = provider.browser()
        await browser.signIn("alice")
        _ = try await browser.authorizationCode(authorizeParameters(client))
        #expect(try await provider.count("access_tokens") == 1)
        #expect(try await provider.count("authorization_codes") == 1)

        provider.clock.advance(2_592_000 + 86_401)
        await browser.signIn("alice")
        _ = try await browser.authorizationCode(authorizeParameters(client))
        #expect(try await provider.count("access_tokens") == 0)
        #expect(try await provider.count("refresh_tokens") == 0)
        #expect(try await provider.count("authorization_codes") == 1, "only the new code is left")
    }
}
