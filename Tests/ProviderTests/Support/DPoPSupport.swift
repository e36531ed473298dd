import Foundation
import Security

/// A client's DPoP key and the proofs it signs (RFC 9449 §4.2), as a client library would make
/// them; each field can be spoiled for the bad-input tests.
struct DPoPKey: Sendable {
    let alg: String
    let jwk: [String: JSONValue]
    let sign: @Sendable ([UInt8]) throws -> [UInt8]

    /// The RFC 7638 thumbprint tokens are bound to.
    var thumbprint: String { DPoPProof.thumbprint(ofJWK: jwk)! }

    static func es256() throws -> DPoPKey {
        let key = try P256PrivateKey.generate()
        return DPoPKey(alg: "ES256", jwk: ["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(key.x)), "y": .string(Base64URL.encode(key.y))],
                       sign: { try key.signES256JWS($0) })
    }

    static func rs256() throws -> DPoPKey {
        let key = try RSAPrivateKey.generate(bits: 2048)
        return DPoPKey(alg: "RS256", jwk: ["kty": "RSA", "n": .string(Base64URL.encode(key.publicKey.modulus)),
                                           "e": .string(Base64URL.encode(key.publicKey.exponent))],
                       sign: { try key.signRS256($0) })
    }

    static func eddsa() throws -> DPoPKey {
        let key = try Ed25519PrivateKey.generate()
        return DPoPKey(alg: "EdDSA", jwk: ["kty": "OKP", "crv": "Ed25519", "x": .string(Base64URL.encode(key.publicKey))],
                       sign: { try key.sign($0) })
    }

    /// A proof for `method` and `uri` made at `iat`; `accessToken` adds `ath`.
    func proof(_ method: String, _ uri: String, iat: Int, jti: String = SecureRandom.token(byteCount: 16), accessToken: String? = nil,
               nonce: String? = nil, typ: String = "dpop+jwt", alg: String? = nil, jwk: [String: JSONValue]? = nil) throws -> String {
        let header: JSONValue = ["typ": .string(typ), "alg": .string(alg ?? self.alg), "jwk": .object(jwk ?? self.jwk)]
        var claims: [String: JSONValue] = ["jti": .string(jti), "htm": .string(method), "htu": .string(uri), "iat": .int(iat)]
        if let accessToken { claims["ath"] = .string(Base64URL.encode(SHA256.hash(accessToken))) }
        if let nonce { claims["nonce"] = .string(nonce) }
        let input = Base64URL.encode(header.sortedCompactJSON!) + "." + Base64URL.encode(JSONValue.object(claims).sortedCompactJSON!)
        return input + "." + Base64URL.encode(try sign(Array(input.utf8)))
    }
}
