import Foundation
import Security
import Testing
import Web
import WebTesting
@testable import Provider

/// Signing-key rotation (issue 15, point 8): next → active → retiring → retired, on a clock the
/// test moves.
@Suite struct KeyRotationTests {
    static let grace = 86_400
    static let lifetime = 3_600

    /// The kids `/.well-known/jwks.json` serves now.
    static func publishedKids(_ provider: TestProvider) async -> [String] {
        let reply = await provider.browser().get("/.well-known/jwks.json")
        return ((reply.fields["keys"] as? [[String: Any]]) ?? []).compactMap { $0["kid"] as? String }
    }

    /// An id_token freshly issued (password grant) and the kid in its header.
    static func idToken(_ provider: TestProvider, _ client: TestOAuthClient) async throws -> (token: String, kid: String) {
        let reply = await provider.browser().token([("grant_type", "password"), ("username", "alice"), ("password", TestProvider.password),
                                                    ("scope", "openid")], headers: client.basic)
        let token = try #require(reply.fields["id_token"] as? String, "no id_token: \(reply.text)")
        return (token, try #require(try JWT.parse(token).keyID))
    }

    @Test func eachPhasePublishesAndSignsAsPromised() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password])
        let keys = provider.services.signingKeys
        let old = keys.activeKeyID
        let before = try await Self.idToken(provider, client)
        #expect(before.kid == old)

        let rotation = try await keys.rotate(grace: Self.grace, lifetime: Self.lifetime)
        let new = rotation.kid
        #expect(new != old && rotation.replaced.map(\.kid) == [old])
        // Next: published at once, not signing.
        #expect(Set(await Self.publishedKids(provider)) == [old, new])
        #expect(try await Self.idToken(provider, client).kid == old)
        #expect(try await keys.list().map(\.phase) == [.active, .next])

        // Active: the grace is over.
        provider.clock.advance(Self.grace)
        let during = try await Self.idToken(provider, client)
        #expect(during.kid == new)
        #expect(Set(await Self.publishedKids(provider)) == [old, new], "the old key stays for the tokens it signed")
        #expect(try await keys.list().map(\.phase) == [.retiring, .active])
        let issuer = provider.services.tokens.idTokens
        #expect(issuer.verifyHint(before.token, now: provider.clock.now) != nil, "a retiring key's token still verifies")

        // Retired: every token the old key signed has expired.
        provider.clock.advance(Self.lifetime + SigningKeys.margin)
        #expect(await Self.publishedKids(provider) == [new])
        #expect(try await keys.list().map(\.phase) == [.retired, .active])
        #expect(issuer.verifyHint(before.token, now: provider.clock.now) == nil, "an id_token signed with a retired key is refused")
        #expect(issuer.verifyHint(during.token, now: provider.clock.now) != nil)
        #expect(try await Self.idToken(provider, client).kid == new)

        // Housekeeping deletes the retired row.
        _ = try await provider.services.database.write { db in try SigningKeys.purgeRetired(now: provider.clock.now, in: db) }
        #expect(try await provider.query("SELECT kid FROM signing_keys").map { try $0.string("kid") } == [new])
    }

    @Test func aClientCachingTheJWKSAsToldAlwaysVerifies() async throws {
        let provider = try await TestProvider.make()
        try await provider.createUser("alice")
        let client = try await provider.registerClient(grants: [.password])
        let grace = 360, step = 60
        let first = await provider.browser().get("/.well-known/jwks.json")
        let maxAge = try #require(first.headers["Cache-Control"]?.split(separator: "=").last.flatMap { Int($0) })
        #expect(maxAge + SigningKeys.refreshInterval <= grace, "the shortest grace outlasts the JWKS cache")
        var cached = try JSONDecoder().decode(JWKSet.self, from: Data(first.text.utf8)), fetchedAt = provider.clock.now

        provider.clock.advance(maxAge - 1)   // the worst case: the cache is about to expire when the rotation happens
        _ = try await provider.services.signingKeys.rotate(grace: grace, lifetime: Self.lifetime)
        var kids = Set<String>()
        for _ in 0..<((grace + Self.lifetime + SigningKeys.margin) / step + 2) {
            if provider.clock.now - fetchedAt >= maxAge {
                cached = try JSONDecoder().decode(JWKSet.self, from: Data(await provider.browser().get("/.well-known/jwks.json").text.utf8))
                fetchedAt = provider.clock.now
            }
            let token = try await Self.idToken(provider, client)
            kids.insert(token.kid)
            #expect(throws: Never.self) {
                try JWT.parse(token.token).verify(using: cached, issuer: TestProvider.issuer, audience: client.id, now: provider.clock.now, nonce: nil)
            }
            provider.clock.advance(step)
        }
        #expect(kids.count == 2, "both keys signed in the run")
    }

    @Test func aSecondRotationWaitsForTheFirst() async throws {
        let provider = try await TestProvider.make()
        let keys = provider.services.signingKeys
        let first = try await keys.rotate(grace: Self.grace, lifetime: Self.lifetime)
        await #expect(throws: SigningKeys.LoadError.self) { _ = try await keys.rotate(grace: Self.grace, lifetime: Self.lifetime) }
        #expect(try await provider.count("signing_keys") == 2)
        provider.clock.advance(Self.grace)
        let second = try await keys.rotate(grace: Self.grace, lifetime: Self.lifetime)
        #expect(second.replaced.map(\.kid) == [first.kid])
    }

    @Test func twoRotationsAtOnceMakeOneKey() async throws {
        let provider = try await TestProvider.make()
        let keys = provider.services.signingKeys
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<2 { group.addTask { (try? await keys.rotate(grace: Self.grace, lifetime: Self.lifetime)) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await provider.count("signing_keys") == 2)
        #expect(try await keys.list().map(\.phase) == [.active, .next])
    }

    @Test func anotherInstanceLearnsOfARotation() async throws {
        let provider = try await TestProvider.make()
        let other = try await ProviderServices.open(provider.services.configuration, clock: provider.clock.providerClock)
        let rotation = try await other.signingKeys.rotate(grace: Self.grace, lifetime: Self.lifetime)
        #expect(Set(await Self.publishedKids(provider)).contains(rotation.kid), "published at the next JWKS request")
        provider.clock.advance(Self.grace)
        #expect(provider.services.signingKeys.activeKeyID == rotation.kid)
    }

    @Test func theGraceIsConfigurableWithinBounds() throws {
        let base = TestProvider.environment(directory: NSTemporaryDirectory())
        #expect(try ProviderConfiguration(environment: base).keyRotationGrace == 86_400)
        var env = base
        env["PROVIDER_KEY_ROTATION_GRACE"] = "600"
        #expect(try ProviderConfiguration(environment: env).keyRotationGrace == 600)
        env["PROVIDER_KEY_ROTATION_GRACE"] = "10"
        #expect(throws: (any Error).self) { try ProviderConfiguration(environment: env) }
    }
}
