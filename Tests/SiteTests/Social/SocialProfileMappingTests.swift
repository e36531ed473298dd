import Accounts
import Foundation
import Security
import Testing

/// Each provider's profile, read into ours: the uid is the immutable id, and an email counts
/// as verified only when the provider really vouches for it.
@Suite struct SocialProfileMappingTests {
    private func json(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    @Test func gitHubCountsOnlyAPrimaryVerifiedAddress() throws {
        let user = try json(#"{"id": 1, "login": "octocat", "email": "public@example.com"}"#)
        let unverifiedPrimary = try json("""
            [{"email": "primary@example.com", "primary": true, "verified": false},
             {"email": "other@example.com", "primary": false, "verified": true}]
            """)
        let profile = try GitHubProfile.map(user: user, emails: unverifiedPrimary)
        #expect(profile.uid == "1")
        #expect(!profile.emailVerified)
        #expect(profile.email == "public@example.com")

        let verifiedPrimary = try json(#"[{"email": "primary@example.com", "primary": true, "verified": true}]"#)
        let verified = try GitHubProfile.map(user: user, emails: verifiedPrimary)
        #expect(verified.emailVerified)
        #expect(verified.email == "primary@example.com")
    }

    @Test func gitHubIDMustBeNumeric() throws {
        #expect(throws: SocialAuthError.self) { try GitHubProfile.map(user: try json(#"{"id": "1", "login": "x"}"#), emails: nil) }
    }

    @Test func facebookEmailIsNeverVerified() throws {
        let profile = try FacebookProfile.map(try json(#"{"id": "10158", "name": "Mark", "email": "m@example.com"}"#))
        #expect(profile.uid == "10158")
        #expect(profile.email == "m@example.com")
        #expect(!profile.emailVerified)
    }

    @Test func linkedInVerifiedFlagArrivesAsAString() throws {
        let yes = try OpenIDProfile.map(userinfo: try json(#"{"sub": "abc", "email": "l@example.com", "email_verified": "true"}"#), claims: nil)
        #expect(yes.emailVerified)
        let no = try OpenIDProfile.map(userinfo: try json(#"{"sub": "abc", "email": "l@example.com", "email_verified": "false"}"#), claims: nil)
        #expect(!no.emailVerified)
        let missing = try OpenIDProfile.map(userinfo: try json(#"{"sub": "abc", "email": "l@example.com"}"#), claims: nil)
        #expect(!missing.emailVerified)
    }

    @Test func verifiedFlagWithoutAnEmailMeansNothing() throws {
        let profile = try OpenIDProfile.map(userinfo: try json(#"{"sub": "abc", "email_verified": true}"#), claims: nil)
        #expect(profile.email == nil)
        #expect(!profile.emailVerified)
    }

    @Test func userinfoWithoutASubjectIsRefusedEvenWithAVerifiedIDToken() throws {
        let claims = Claims(["sub": .string("abc"), "email": .string("id@example.com")])
        #expect(throws: SocialAuthError.self) {
            try OpenIDProfile.map(userinfo: try json(#"{"email": "other@example.com", "email_verified": true}"#), claims: claims)
        }
    }

    @Test func userinfoForAnotherSubjectIsRefused() throws {
        #expect(throws: SocialAuthError.self) {
            try OpenIDProfile.map(userinfo: try json(#"{"sub": "someone-else"}"#), claims: Claims(["sub": .string("abc")]))
        }
    }

    @Test func idTokenClaimsAloneAreEnoughWithoutAUserinfoEndpoint() throws {
        let profile = try OpenIDProfile.map(userinfo: nil, claims: Claims(["sub": .string("abc"), "email": .string("id@example.com"),
                                                                            "email_verified": .bool(true)]))
        #expect(profile.uid == "abc")
        #expect(profile.emailVerified)
    }
}
