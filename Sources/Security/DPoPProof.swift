import Foundation

/// Why a DPoP proof (RFC 9449) was refused. The server maps each to `invalid_dpop_proof`.
public enum DPoPError: Error, Sendable, Equatable {
    /// Not a compact JWS with JSON header and claims, too large, or claims of the wrong type.
    case malformed
    /// `typ` is not `dpop+jwt`.
    case wrongType
    /// An `alg` outside ES256, RS256 and EdDSA (so never `none` or an HMAC).
    case unsupportedAlgorithm
    /// `jwk` missing, not a public key of the algorithm's type, or carrying private members.
    case badKey
    case badSignature
    /// A claim the proof must carry is absent (`jti`, `htm`, `htu`, `iat`, `ath`).
    case missingClaim(String)
    /// `htm` is not the request's method.
    case wrongMethod
    /// `htu` is not the request's URI (without query and fragment).
    case wrongURI
    /// `iat` outside the accepted window.
    case stale
    /// `ath` is not the hash of the access token sent with it.
    case wrongAccessTokenHash
}

/// A DPoP proof (RFC 9449 §4), checked for everything the proof alone can show: its type,
/// algorithm and embedded public key, the signature by that key, the method and URI it was made
/// for, its age and, for resource requests, the access token it accompanies. Replay (`jti`)
/// and server nonces need state: the caller checks those.
public struct DPoPProof: Sendable {
    /// The algorithms we verify: what `dpop_signing_alg_values_supported` advertises.
    public static let algorithms = ["ES256", "RS256", "EdDSA"]
    /// Longest proof accepted; a proof with an RSA key is about 1.5 kB.
    public static let maxLength = 8 * 1024

    /// The RFC 7638 thumbprint of the proof's key (`jkt`), what tokens are bound to.
    public let thumbprint: String
    /// The proof's unique identifier.
    public let jti: String
    /// When the proof was made (Unix seconds).
    public let issuedAt: Int
    /// The server nonce the proof carries, if any.
    public let nonce: String?

    /// Verifies `compact` for a request with `method` to `uri`, at `now`. Proofs made up to
    /// `maxAge` seconds ago, or up to `leeway` seconds in the future (clock skew), are accepted.
    /// With `accessToken`, the proof must carry its hash in `ath` (§4.2, resource requests).
    public static func verify(_ compact: String, method: String, uri: String, now: Int, maxAge: Int, leeway: Int,
                              accessToken: String? = nil) throws(DPoPError) -> DPoPProof {
        guard compact.utf8.count <= maxLength, let jwt = try? JWT.parse(compact) else { throw .malformed }
        guard jwt.header.string("typ") == "dpop+jwt" else { throw .wrongType }
        guard let alg = jwt.algorithm, algorithms.contains(alg) else { throw .unsupportedAlgorithm }
        guard jwt.header["crit"] == nil else { throw .malformed }
        guard let jwk = jwt.header["jwk"]?.objectValue, let key = PublicJWK(jwk, algorithm: alg) else { throw .badKey }
        guard key.verify(signature: jwt.signature, message: jwt.signingInput) else { throw .badSignature }

        let claims = jwt.claims
        guard let jti = claims["jti"] else { throw .missingClaim("jti") }
        guard let jti = jti.stringValue, !jti.isEmpty, jti.utf8.count <= 256 else { throw .malformed }
        guard let htm = claims["htm"] else { throw .missingClaim("htm") }
        guard htm.stringValue == method else { throw .wrongMethod }
        guard let htu = claims["htu"] else { throw .missingClaim("htu") }
        guard let claimed = htu.stringValue.flatMap(normalizedURI), let expected = normalizedURI(uri), claimed == expected else {
            throw .wrongURI
        }
        guard let iat = claims["iat"] else { throw .missingClaim("iat") }
        guard let issuedAt = iat.intValue else { throw .malformed }
        // Comparing against `now` moved, not the claim: claims are attacker-sized numbers.
        guard issuedAt >= now - maxAge, issuedAt <= now + leeway else { throw .stale }
        if let accessToken {
            guard let ath = claims["ath"] else { throw .missingClaim("ath") }
            guard let ath = ath.stringValue,
                  constantTimeEquals(Array(ath.utf8), Array(Base64URL.encode(SHA256.hash(accessToken)).utf8)) else {
                throw .wrongAccessTokenHash
            }
        }
        if let nonce = claims["nonce"], nonce.stringValue == nil { throw .malformed }
        return DPoPProof(thumbprint: key.thumbprint, jti: jti, issuedAt: issuedAt, nonce: claims.string("nonce"))
    }

    /// `uri` as §4.3 compares it: without query and fragment, scheme and host lowercased, the
    /// scheme's default port dropped, an empty path as `/` (RFC 3986 §6.2.2–6.2.3). Nil when it is
    /// not an absolute http(s) URI.
    public static func normalizedURI(_ uri: String) -> String? {
        guard uri.utf8.count <= 2048, let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.percentEncodedHost?.lowercased(), !host.isEmpty,
              components.user == nil, components.password == nil else { return nil }
        var port = ""
        if let number = components.port, !(scheme == "http" && number == 80), !(scheme == "https" && number == 443) { port = ":\(number)" }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        return "\(scheme)://\(host)\(port)\(path)"
    }

    /// The RFC 7638 thumbprint of a public JWK (its required members only, in canonical JSON);
    /// nil for key types we do not take.
    public static func thumbprint(ofJWK jwk: [String: JSONValue]) -> String? {
        PublicJWK(jwk, algorithm: nil)?.thumbprint
    }
}

/// A public key from a proof's `jwk` header: EC P-256, RSA or Ed25519 (OKP).
private struct PublicJWK {
    let check: @Sendable ([UInt8], [UInt8]) -> Bool
    let thumbprint: String

    /// Nil when the key is malformed, private (has `d` or other private members), or not of the
    /// type `algorithm` needs (nil: any of ours).
    init?(_ jwk: [String: JSONValue], algorithm: String?) {
        for secret in ["d", "p", "q", "dp", "dq", "qi", "k"] where jwk[secret] != nil { return nil }
        guard let kty = jwk["kty"]?.stringValue else { return nil }
        func member(_ name: String) -> String? { jwk[name]?.stringValue }
        let required: [String: JSONValue]
        switch (kty, algorithm) {
        case ("EC", "ES256"), ("EC", nil):
            guard member("crv") == "P-256", let x = member("x"), let y = member("y"),
                  let xBytes = Base64URL.decode(x), let yBytes = Base64URL.decode(y),
                  let key = EVPPublicKey.p256(x: xBytes, y: yBytes) else { return nil }
            check = { signature, message in
                guard let der = ECDSASignature.der(fromJOSE: signature) else { return false }
                return key.verifyES256(signature: der, message: message)
            }
            required = ["crv": "P-256", "kty": "EC", "x": .string(x), "y": .string(y)]
        case ("RSA", "RS256"), ("RSA", nil):
            guard let n = member("n"), let e = member("e"), let modulus = Base64URL.decode(n), let exponent = Base64URL.decode(e),
                  let key = try? RSAPublicKey(modulus: modulus, exponent: exponent) else { return nil }
            check = { signature, message in key.verifyRS256(signature: signature, message: message) }
            required = ["e": .string(e), "kty": "RSA", "n": .string(n)]
        case ("OKP", "EdDSA"), ("OKP", nil):
            guard member("crv") == "Ed25519", let x = member("x"), let raw = Base64URL.decode(x),
                  let key = EVPPublicKey.ed25519(raw) else { return nil }
            check = { signature, message in key.verifyEd25519(signature: signature, message: message) }
            required = ["crv": "Ed25519", "kty": "OKP", "x": .string(x)]
        default:
            return nil
        }
        guard let canonical = JSONValue.object(required).sortedCompactJSON else { return nil }
        thumbprint = Base64URL.encode(SHA256.hash(canonical))
    }

    func verify(signature: [UInt8], message: [UInt8]) -> Bool { check(signature, message) }
}
