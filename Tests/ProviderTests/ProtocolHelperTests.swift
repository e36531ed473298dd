import Security
import Testing
@testable import Provider

@Suite struct ProtocolHelperTests {
    @Test func pkceMatchesRFC7636AppendixB() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        #expect(PKCE.challenge(for: verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.verify(verifier, against: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
        #expect(!PKCE.verify(verifier + "x", against: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
    }

    @Test func pkceRefusesMalformedVerifiers() {
        #expect(!PKCE.isWellFormed("short"))
        #expect(!PKCE.isWellFormed(String(repeating: "a", count: 129)))
        #expect(!PKCE.isWellFormed(String(repeating: "a", count: 42) + "+"))
        #expect(PKCE.isWellFormed(String(repeating: "a", count: 43)))
    }

    @Test func scopesAreSortedUniqueAndValidated() throws {
        let scope = try #require(ScopeSet(parsing: "email openid  email profile"))
        #expect(scope.description == "email openid profile")
        #expect(ScopeSet(parsing: "open\"id") == nil)
        #expect(ScopeSet(parsing: "a\\b") == nil)
        #expect(try #require(ScopeSet(parsing: "openid")).isSubset(of: scope))
        #expect(!scope.isSubset(of: try #require(ScopeSet(parsing: "openid"))))
    }

    @Test func returnPathAcceptsAuthorizationRequestsButNoOtherHost() {
        #expect(ReturnPath.validated("/oauth/authorize?client_id=a&redirect_uri=http%3A%2F%2Fapp.test%2Fcb") != nil)
        #expect(ReturnPath.validated("/") == "/")
        #expect(ReturnPath.validated("//evil.test/") == nil)
        #expect(ReturnPath.validated("https://evil.test/") == nil)
        #expect(ReturnPath.validated("/oauth/authorize?x=1\\@evil") == nil)
        #expect(ReturnPath.validated("/oauth/authorize?x=1 2") == nil)
    }

    @Test func redirectURIsMustBeAbsoluteWithoutFragments() {
        #expect(NewClient.redirectURIProblem("https://app.test/callback") == nil)
        #expect(NewClient.redirectURIProblem("com.example.app:/oauth") == nil)
        #expect(NewClient.redirectURIProblem("/callback") != nil)
        #expect(NewClient.redirectURIProblem("https://app.test/cb#frag") != nil)
        #expect(NewClient.redirectURIProblem("https://app.test/a b") != nil)
        #expect(NewClient.redirectURIProblem("javascript:alert(1)") != nil)
    }

    @Test func basicCredentialsAreFormDecoded() {
        let header = "Basic " + [UInt8]("my%20id:s%3Acret+x".utf8).base64()
        let decoded = OAuthForm.basicCredentials(header)
        #expect(decoded?.0 == "my id")
        #expect(decoded?.1 == "s:cret x")
        #expect(OAuthForm.basicCredentials("Basic !!!") == nil)
        #expect(OAuthForm.basicCredentials("Bearer abc") == nil)
    }
}

extension Array where Element == UInt8 {
    func base64() -> String { Base64.encode(self) }
}
