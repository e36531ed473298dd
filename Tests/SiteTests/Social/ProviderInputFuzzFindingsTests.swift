import Accounts
import Foundation
import Security
import Testing
import Web

/// Provider replies that scripts/fuzz (or review while writing its targets) found mishandled: a
/// provider, or someone in its place, must not be able to trap the process or merge accounts.
@Suite struct ProviderInputFuzzFindingsTests {
    static let now = 1_790_000_000
    private static let century = 100 * 365 * 86_400

    private func reply(_ body: String, status: Int = 200) -> ClientResponse {
        ClientResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    @Test func hugeTokenLifetimeIsCappedInsteadOfOverflowing() throws {
        let tokens = try OAuthFlow.parseTokenResponse(
            reply(#"{"access_token":"x","expires_in":9223372036854775807,"refresh_token_expires_in":"9223372036854775000"}"#),
            now: Self.now)
        #expect(tokens.expiresAt == Self.now + Self.century)
        #expect(tokens.refreshExpiresAt == Self.now + Self.century)
    }

    @Test func hugeFormEncodedLifetimeIsCapped() throws {
        let response = ClientResponse(status: 200, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                      body: Array("access_token=x&expires_in=9223372036854775807".utf8))
        #expect(try OAuthFlow.parseTokenResponse(response, now: Self.now).expiresAt == Self.now + Self.century)
    }

    @Test func ordinaryLifetimeIsKept() throws {
        let tokens = try OAuthFlow.parseTokenResponse(reply(#"{"access_token":"x","expires_in":3600}"#), now: Self.now)
        #expect(tokens.expiresAt == Self.now + 3600)
    }

    @Test func emptyIDTokenSubIsRejected() throws {
        #expect(throws: SocialAuthError.self) {
            try OpenIDProfile.map(userinfo: nil, claims: Claims(["sub": .string(""), "email": .string("a@example.com")]))
        }
    }
}
