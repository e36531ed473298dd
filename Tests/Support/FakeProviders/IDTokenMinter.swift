import Foundation
import Security

/// Signs id_tokens for the OpenID Connect fakes, bending them as the id_token faults ask.
struct IDTokenMinter: Sendable {
    /// The key published in the JWKS.
    let key: RSAPrivateKey
    /// Its `kid`.
    let kid: String
    /// A key that is in no JWKS, for `.idTokenWrongSignature`.
    let rogue: RSAPrivateKey

    /// The JWK Set a fake publishes: the signing key only.
    var keySet: JWKSet { JWKSet(keys: [key.publicKey.jwk(kid: kid)]) }

    /// A compact RS256 id_token with `iss`, `aud`, `sub`, `iat`, `exp` (now plus `lifetime`) and
    /// `claims`, unless `fault` says to break one of them.
    func mint(issuer: String, audience: String, subject: String, claims: [String: JSONValue],
              lifetime: Int = 3600, fault: FakeFault?, now: Date = Date()) throws -> String {
        var all = claims
        let issuedAt = Wire.seconds(now)
        all["sub"] = .string(subject)
        all["iss"] = .string(fault == .idTokenWrongIssuer ? "https://issuer.invalid/oauth" : issuer)
        all["aud"] = .string(fault == .idTokenWrongAudience ? "someone-elses-client" : audience)
        if fault == .idTokenExpired {
            // Far enough in the past that no clock-skew leeway can rescue it.
            all["iat"] = .int(issuedAt - 7200)
            all["exp"] = .int(issuedAt - 3600)
        } else {
            all["iat"] = .int(issuedAt)
            all["exp"] = .int(issuedAt + lifetime)
        }
        return try JWT.sign(claims: all, key: fault == .idTokenWrongSignature ? rogue : key, kid: kid)
    }
}

/// RSA keys generated once per test process: 2048-bit generation is the slowest thing a fake
/// does, and each provider keeps its own key so one's JWKS never verifies another's tokens.
enum SigningKeys {
    /// LinkedIn's signing key.
    static let linkedIn = make()
    /// The generic OpenID Connect provider's signing key.
    static let openID = make()
    /// A key no fake publishes.
    static let rogue = make()

    private static func make() -> RSAPrivateKey {
        do {
            return try RSAPrivateKey.generate(bits: 2048)
        } catch {
            fatalError("fake providers cannot run without an RSA key: \(error)")
        }
    }
}
