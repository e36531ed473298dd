import Security
import Testing
import WebTesting
@testable import Provider

/// Grant family ids and the tokens every grant mints (issue 17): unique, and stored in the order
/// they were made, so that each new row's index entries go at the end of the index rather than on
/// a random page of it.
@Suite struct OrderedKeyTests {
    @Test func idsSortByTimeAndNeverRepeat() {
        let times = [0, 59, 1_764_900_000, 1_764_900_001, 4_102_444_800]
        let ids = times.map { TokenHash.newFamilyID(at: $0) }
        #expect(ids == ids.sorted())
        #expect(Set((0..<1000).map { _ in TokenHash.newFamilyID(at: 1_764_900_000) }).count == 1000)
        #expect(ids.allSatisfy { $0.utf8.count == 12 + 1 + 22 })
    }

    @Test func orderedTokensAreStoredTimeFirstAndOtherTokensAsTheirHash() {
        let token = TokenHash.newOrderedToken(at: 1_764_900_000)
        #expect(token.utf8.count == 12 + 43)
        #expect(TokenHash.of(token) == String(token.prefix(12)) + Hex.encode(SHA256.hash(token)))
        #expect(TokenHash.newOrderedToken(at: 1_764_900_000) < TokenHash.newOrderedToken(at: 1_764_900_001))
        // Tokens issued before, and anything else of another shape, are stored as their hash.
        for other in [TokenHash.newToken(), "ABCDEF000000" + TokenHash.newToken(), String(token.dropLast()), ""] {
            #expect(TokenHash.of(other) == Hex.encode(SHA256.hash(other)))
        }
    }

    /// Access and refresh tokens issued before this change (no time prefix) keep working.
    @Test func tokensWithoutTheTimeStillWork() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        let old = TokenHash.newToken()
        try await provider.services.database.write { db in
            try TokenRepository.insertAccessToken(hash: TokenHash.of(old), clientID: client.id, userID: nil, scope: ScopeSet(trusted: "api"),
                                                  familyID: TokenHash.newToken(), audience: [], dpopKey: nil, now: provider.clock.now,
                                                  expiresAt: provider.clock.now + 600, in: db)
        }
        let reply = await provider.browser().token([("token", old)], headers: client.basic, path: "/oauth/introspect")
        #expect(reply.fields["active"] as? Bool == true)
        let fresh = await provider.browser().token([("grant_type", "client_credentials")], headers: client.basic)
        let token = try #require(fresh.fields["access_token"] as? String)
        #expect(token.utf8.count == 55)
        let check = await provider.browser().token([("token", token)], headers: client.basic, path: "/oauth/introspect")
        #expect(check.fields["active"] as? Bool == true)
    }

    @Test func theStoredFamilyStartsWithTheGrantsTime() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        #expect(await provider.browser().token([("grant_type", "client_credentials")], headers: client.basic).status == .ok)
        let family = try #require(try await provider.query("SELECT family_id FROM access_tokens").first).string("family_id")
        #expect(family.hasPrefix(String(provider.clock.now, radix: 16).leftPadded(to: 12)))
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - utf8.count)) + self }
}
