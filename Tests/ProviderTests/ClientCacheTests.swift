import Identity
import Storage
import Testing
import Web
import WebTesting
@testable import Provider

/// The token endpoint's memory of recently authenticated clients (`ClientCache`, issue 17): a
/// change to a client made anywhere (here: straight in the database, as another process would)
/// is never outlived where tokens are minted.
@Suite struct ClientCacheTests {
    /// What another process's `latchkey clients …` does: the row changes, this process's cache is not told.
    private func changeElsewhere(_ provider: TestProvider, _ sql: String, _ clientID: String) async throws {
        try await provider.services.database.write { db in _ = try db.execute(sql, clientID) }
    }

    @Test func aScopeTakenAwayElsewhereIsRefusedAtTheNextGrant() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api reports")
        let http = provider.browser()
        let form = [("grant_type", "client_credentials"), ("scope", "api")]
        #expect(await http.token(form, headers: client.basic).status == .ok)
        try await changeElsewhere(provider, "UPDATE clients SET scopes = 'reports', revision = revision + 1 WHERE client_id = ?", client.id)
        #expect(await http.token(form, headers: client.basic).oauthError == "invalid_scope")
        #expect(try await provider.count("access_tokens") == 1)
    }

    @Test func aGrantTakenAwayElsewhereIsRefusedAtTheNextRequest() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials, .authorizationCode], scopes: "api")
        let http = provider.browser()
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).status == .ok)
        try await changeElsewhere(provider, "UPDATE clients SET grant_types = 'authorization_code', revision = revision + 1 WHERE client_id = ?",
                                  client.id)
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).oauthError == "unauthorized_client")
    }

    @Test func aClientRemovedElsewhereGetsNoMoreTokens() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        let http = provider.browser()
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).status == .ok)
        try await changeElsewhere(provider, "DELETE FROM clients WHERE client_id = ?", client.id)
        let reply = await http.token([("grant_type", "client_credentials")], headers: client.basic)
        #expect(reply.status == .unauthorized)
        #expect(reply.oauthError == "invalid_client")
        #expect(try await provider.count("access_tokens") == 0)
    }

    /// A refresh with a stale copy rolls back with the rest of its transaction: the refresh
    /// token is not spent, so the retry with the fresh copy can use it.
    @Test func aStaleCopyDoesNotSpendTheRefreshToken() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password, .refreshToken])
        let (_, refresh) = try await provider.userTokens(client)
        try await changeElsewhere(provider, "UPDATE clients SET name = 'Renamed', revision = revision + 1 WHERE client_id = ?", client.id)
        let reply = await provider.browser().token([("grant_type", "refresh_token"), ("refresh_token", refresh ?? "")], headers: client.basic)
        #expect(reply.status == .ok, "\(reply.text)")
        #expect(reply.fields["refresh_token"] is String)
    }

    /// What a stale copy can still do: refuse what a change elsewhere just allowed, for at most
    /// the cache's lifetime. A change made in this process is seen at once.
    @Test func aGrantAllowedElsewhereWorksOnceTheCopyExpires() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.authorizationCode], scopes: "api")
        let http = provider.browser()
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).oauthError == "unauthorized_client")
        try await changeElsewhere(provider, "UPDATE clients SET grant_types = 'authorization_code client_credentials', revision = revision + 1 WHERE client_id = ?",
                                  client.id)
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).oauthError == "unauthorized_client")
        provider.clock.advance(provider.services.clients.cache.lifetime)
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).status == .ok)
    }

    @Test func aChangeMadeHereIsSeenAtOnce() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        let http = provider.browser()
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).status == .ok)
        try await provider.services.clients.remove(client.id)
        #expect(await http.token([("grant_type", "client_credentials")], headers: client.basic).oauthError == "invalid_client")
    }

    /// Every way a client's row changes raises its revision, or a cached copy could outlive it.
    @Test func everyChangeToAClientRaisesItsRevision() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        func revision() async throws -> Int64 { try #require(try await provider.services.clients.find(client.id)).revision }
        #expect(try await revision() == 0)
        try await provider.services.clients.set(.requirePKCE, to: true, clientID: client.id)
        #expect(try await revision() == 1)
        _ = try await provider.services.clients.setLogoutSettings(client.id, ClientLogoutSettings())
        #expect(try await revision() == 2)
        let stored = try #require(try await provider.services.clients.find(client.id))
        _ = try await provider.services.registration.update(stored, document: Array(#"{"client_name":"New name","grant_types":["client_credentials"],"scope":"api","redirect_uris":["https://app.test/callback"]}"#.utf8))
        #expect(try await revision() == 3)
    }

    /// Grants racing the client's removal: each is issued before it or refused after it, none
    /// fails halfway (without the revision check, an insert after the delete broke the foreign key).
    @Test func grantsRacingTheClientsRemovalAreIssuedOrRefusedCleanly() async throws {
        let provider = try await TestProvider.make()
        let client = try await provider.registerClient(grants: [.clientCredentials], scopes: "api")
        #expect(await provider.browser().token([("grant_type", "client_credentials")], headers: client.basic).status == .ok)
        let statuses = await withTaskGroup(of: HTTPStatus.self) { group in
            for i in 0..<40 {
                group.addTask {
                    if i == 20 {
                        try? await changeElsewhere(provider, "DELETE FROM clients WHERE client_id = ?", client.id)
                        return .noContent
                    }
                    return await provider.browser().token([("grant_type", "client_credentials")], headers: client.basic).status
                }
            }
            return await group.reduce(into: Set<HTTPStatus>()) { $0.insert($1) }
        }
        #expect(statuses.isSubset(of: [.ok, .unauthorized, .noContent]), "\(statuses)")
        #expect(try await provider.count("access_tokens") == 0)
    }

    @Test func entriesExpireAndTheCacheStartsOverWhenFull() async throws {
        let provider = try await TestProvider.make()
        let one = try await provider.registerClient(name: "One", grants: [.clientCredentials], scopes: "api")
        let two = try await provider.registerClient(name: "Two", grants: [.clientCredentials], scopes: "api")
        let cache = ClientCache(clock: provider.clock.providerClock, lifetime: 5, capacity: 1)
        let first = try #require(try await provider.services.clients.find(one.id))
        cache.remember(first, secretHash: "hash")
        #expect(cache.entry(one.id)?.secretHash == "hash")
        provider.clock.advance(4)
        #expect(cache.entry(one.id) != nil)
        provider.clock.advance(1)
        #expect(cache.entry(one.id) == nil)
        cache.remember(first, secretHash: nil)
        cache.remember(try #require(try await provider.services.clients.find(two.id)), secretHash: nil)
        #expect(cache.entry(one.id) == nil)
        #expect(cache.entry(two.id) != nil)
    }
}
