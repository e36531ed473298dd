import Accounts
import Testing
import Web

/// Token replies are read whatever encoding the provider chose, so the `Accept` header we send
/// does not decide whether sign-in works; errors are found wherever the provider puts them.
@Suite struct SocialTokenResponseTests {
    static let now = 1_790_000_000

    private func reply(_ contentType: String, _ body: String, status: Int = 200) -> ClientResponse {
        ClientResponse(status: status, headers: ["Content-Type": contentType], body: Array(body.utf8))
    }

    @Test func gitHubFormEncodedReplyIsRead() throws {
        let tokens = try OAuthFlow.parseTokenResponse(reply("application/x-www-form-urlencoded",
            "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=read%3Auser%2Cuser%3Aemail&token_type=bearer"), now: Self.now)
        #expect(tokens.accessToken == "gho_16C7e42F292c6912E7710c838347Ae178B4a")
        #expect(tokens.scopes == ["read:user", "user:email"])
        #expect(tokens.tokenType == "bearer")
        #expect(tokens.expiresAt == nil)
        #expect(tokens.refreshToken == nil)
    }

    @Test func gitHubAppFormEncodedReplyKeepsExpiryAndRefreshToken() throws {
        let tokens = try OAuthFlow.parseTokenResponse(reply("application/x-www-form-urlencoded",
            "access_token=ghu_abc&expires_in=28800&refresh_token=ghr_def&refresh_token_expires_in=15897600&scope=&token_type=bearer"),
            now: Self.now)
        #expect(tokens.accessToken == "ghu_abc")
        #expect(tokens.refreshToken == "ghr_def")
        #expect(tokens.expiresAt == Self.now + 28_800)
        #expect(tokens.refreshExpiresAt == Self.now + 15_897_600)
        #expect(tokens.scopes.isEmpty)
    }

    @Test func errorSentAsHTTP200FormIsARejection() {
        let body = "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com"
        #expect(throws: SocialAuthError.tokenRejected("bad_verification_code")) {
            try OAuthFlow.parseTokenResponse(reply("application/x-www-form-urlencoded", body), now: Self.now)
        }
    }

    @Test func errorSentAsHTTP200JSONIsARejection() {
        #expect(throws: SocialAuthError.tokenRejected("bad_verification_code")) {
            try OAuthFlow.parseTokenResponse(reply("application/json", #"{"error":"bad_verification_code","error_description":"expired"}"#), now: Self.now)
        }
    }

    @Test func facebookNestedErrorIsARejection() {
        let body = #"{"error":{"message":"This authorization code has been used.","type":"OAuthException","code":100,"error_subcode":36009}}"#
        #expect(throws: SocialAuthError.tokenRejected("OAuthException")) {
            try OAuthFlow.parseTokenResponse(reply("application/json", body, status: 400), now: Self.now)
        }
    }

    @Test func jsonReplyWithNumbersAsStringsIsRead() throws {
        let tokens = try OAuthFlow.parseTokenResponse(reply("application/json",
            #"{"access_token":"AQV123","expires_in":"5184000","scope":"email,openid,profile","token_type":"Bearer","id_token":"a.b.c"}"#), now: Self.now)
        #expect(tokens.expiresAt == Self.now + 5_184_000)
        #expect(tokens.scopes == ["email", "openid", "profile"])
        #expect(tokens.idToken == "a.b.c")
    }

    @Test(arguments: [
        (200, "text/html", "<html><body>We'll be right back</body></html>"),
        (503, "text/plain", "503 Service Unavailable"),
        (200, "application/json", #"{"access_token": "trunc"#),
        (502, "text/html", "<html>a=b</html>"),
    ])
    func replyWithoutATokenDocumentMeansTheProviderIsUnavailable(_ status: Int, _ contentType: String, _ body: String) {
        #expect {
            try OAuthFlow.parseTokenResponse(reply(contentType, body, status: status), now: Self.now)
        } throws: { error in
            if case SocialAuthError.providerUnavailable = error { return true }
            return false
        }
    }

    @Test func replyWithoutAnAccessTokenIsARejection() {
        #expect(throws: SocialAuthError.tokenRejected("no access_token in reply")) {
            try OAuthFlow.parseTokenResponse(reply("application/json", #"{"token_type":"bearer"}"#), now: Self.now)
        }
    }
}
