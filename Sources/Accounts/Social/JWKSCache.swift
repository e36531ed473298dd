import Security

/// Providers' signing keys, fetched on first use and kept for an hour; an id_token signed with
/// a key we have not seen triggers one refetch (providers rotate keys), at most once a minute.
public actor JWKSCache {
    private var entries: [String: (keys: JWKSet, fetchedAt: Int)] = [:]

    public init() {}

    /// The key set at `url`, fresh enough, or refetched when `refresh` and not fetched in the last minute.
    func keys(at url: String, api: ProviderAPI, refresh: Bool = false, now: Int) async throws(SocialAuthError) -> JWKSet {
        if let entry = entries[url], now - entry.fetchedAt < 3600, !(refresh && now - entry.fetchedAt >= 60) {
            return entry.keys
        }
        let response = try await api.send(.get(url, headers: ["Accept": "application/json"]))
        guard response.status == 200, let keys = try? JSONDecoder().decode(JWKSet.self, from: Data(response.body)) else {
            throw .providerUnavailable("could not read the provider's JWKS (HTTP \(response.status))")
        }
        entries[url] = (keys, now)
        return keys
    }

    /// Verifies an id_token: RS256 signature against the provider's keys, `iss`, `aud`, `exp`,
    /// and the nonce when the provider echoes one.
    func verify(_ idToken: String, settings: OpenIDSettings, api: ProviderAPI, nonce: String?, now: Int) async throws(SocialAuthError) -> Claims {
        let jwt: JWT
        do { jwt = try JWT.parse(idToken) } catch { throw .invalidIDToken("\(error)") }
        var keys = try await keys(at: settings.jwksURL, api: api, now: now)
        for attempt in 0..<2 {
            do {
                return try jwt.verify(using: keys, issuer: settings.issuer, audience: api.clientID, now: now,
                                      nonce: settings.checksNonce ? nonce : nil)
            } catch .unknownKey where attempt == 0 {
                keys = try await self.keys(at: settings.jwksURL, api: api, refresh: true, now: now)
            } catch {
                throw .invalidIDToken("\(error)")
            }
        }
        throw .invalidIDToken("unknown signing key")
    }
}

import Foundation
