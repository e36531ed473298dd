import Identity
import Testing
import Web
import WebTesting
@testable import Provider

/// `client_credentials` and the password grant.
@Suite struct OtherGrantTests {
    @Test func clientCredentialsIssuesAnAccessTokenWithoutUserOrRefresh() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api reports")
        let reply = await provider.browser().token([("grant_type", "client_credentials"), ("scope", "api")], headers: client.basic)
        #expect(reply.status == .ok)
        #expect(reply.fields["scope"] as? String == "api")
        #expect(reply.fields["refresh_token"] == nil)
        #expect(reply.fields["id_token"] == nil)
        let defaulted = await provider.browser().token([("grant_type", "client_credentials")], headers: client.basic)
        #expect(defaulted.fields["scope"] as? String == "api reports")
    }

    @Test func clientCredentialsRefusesScopesNeverGranted() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api openid")
        let http = provider.browser()
        #expect(await http.token([("grant_type", "client_credentials"), ("scope", "admin")], headers: client.basic).oauthError == "invalid_scope")
        #expect(await http.token([("grant_type", "client_credentials"), ("scope", "openid")], headers: client.basic).oauthError == "invalid_scope")
    }

    @Test func publicClientsCannotBeGivenClientCredentials() async throws {
        let provider = try await TestProvider.make()
        await #expect(throws: FieldErrors.self) {
            _ = try await provider.registerClient(grants: [.clientCredentials], confidential: false)
        }
    }

    @Test func passwordGrantWorksOnlyForClientsGrantedIt() async throws {
        let provider = try await TestProvider.make()
        let alice = try await provider.createUser("alice")
        let allowed = try await provider.registerClient(grants: [.password, .refreshToken])
        let other = try await provider.registerClient(name: "Other")
        let http = provider.browser()
        let form = [("grant_type", "password"), ("username", "alice"), ("password", TestProvider.password), ("scope", "openid email")]
        let reply = await http.token(form, headers: allowed.basic)
        #expect(reply.status == .ok)
        #expect(reply.fields["refresh_token"] is String)
        #expect(reply.fields["id_token"] is String)
        let profile = await http.get("/api/profile", headers: ["Authorization": "Bearer \(reply.fields["access_token"] as? String ?? "")"])
        #expect(profile.fields["id"] as? Int == Int(alice.id))
        #expect(await http.token(form, headers: other.basic).oauthError == "unauthorized_client")
    }

    @Test func passwordGrantWithAWrongPasswordIsInvalidGrant() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password])
        let http = provider.browser()
        let reply = await http.token([("grant_type", "password"), ("username", "alice"), ("password", "wrong password!")], headers: client.basic)
        #expect(reply.oauthError == "invalid_grant")
        let unknown = await http.token([("grant_type", "password"), ("username", "nobody"), ("password", "wrong password!")], headers: client.basic)
        #expect(unknown.oauthError == "invalid_grant")
        #expect(unknown.fields["error_description"] as? String == reply.fields["error_description"] as? String)
    }
}

extension OtherGrantTests {
    /// Issue 13: the password grant shares the sign-in limits, and a burst of concurrent guesses
    /// gets no more checks than the limit.
    @Test func concurrentPasswordGrantGuessesAreCheckedNoMoreThanTheLimit() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password])
        let replies = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<30 {
                group.addTask {
                    let reply = await provider.browser().token([("grant_type", "password"), ("username", "alice"), ("password", "guess \(i)")],
                                                               headers: client.basic)
                    return reply.headers["Retry-After"] != nil
                }
            }
            return await group.reduce(into: [Bool: Int]()) { $0[$1, default: 0] += 1 }
        }
        #expect(replies[false] == 5, "checked and refused")
        #expect(replies[true] == 25, "throttled before any hashing")
    }
}
