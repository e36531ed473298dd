import Foundation
@testable import Security

/// Builds tokens by hand, including ones our signer would never produce.
enum TokenFactory {
    static let issuer = "https://accounts.example.com"
    static let audience = "client-123"
    static let now = 1_700_000_000

    static var keys: JWKSet {
        JWKSet(keys: [Fixtures.otherKey.publicKey.jwk(kid: "other"), Fixtures.signingKey.publicKey.jwk(kid: "main")])
    }

    static func claims(_ overrides: [String: JSONValue?] = [:]) -> [String: JSONValue] {
        var claims: [String: JSONValue] = [
            "iss": .string(issuer), "aud": .string(audience), "sub": "user-1",
            "iat": .int(now - 10), "exp": .int(now + 3600), "nonce": "n-0S6_WzA2Mj",
        ]
        for (name, value) in overrides { claims[name] = value ?? nil }
        for (name, value) in overrides where value == nil { claims.removeValue(forKey: name) }
        return claims
    }

    static func signed(_ claims: [String: JSONValue], kid: String = "main", key: RSAPrivateKey = Fixtures.signingKey) throws -> String {
        try JWT.sign(claims: claims, key: key, kid: kid)
    }

    /// A token with an arbitrary header, signed RS256 with `key` regardless of what the header says.
    static func raw(header: [String: JSONValue], claims: [String: JSONValue],
                    key: RSAPrivateKey = Fixtures.signingKey) throws -> String {
        let input = segment(header) + "." + segment(claims)
        return input + "." + Base64URL.encode(try key.signRS256(Array(input.utf8)))
    }

    static func segment(_ object: [String: JSONValue]) -> String {
        guard let data = try? JSONEncoder().encode(object) else { fatalError("unencodable test JSON") }
        return Base64URL.encode(data)
    }

    static func verify(_ token: String, keys: JWKSet = keys, nonce: String? = "n-0S6_WzA2Mj",
                       now: Int = now) throws(JWTError) -> Claims {
        try JWT.parse(token).verify(using: keys, issuer: issuer, audience: audience, now: now, nonce: nonce)
    }
}
