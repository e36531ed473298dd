/// Verification of RS256 id_tokens and access tokens against a JWK Set.
extension JWT {
    /// Checks algorithm (RS256 only), key, signature, `iss`, `aud`/`azp`, `exp`, `nbf`, `iat` and,
    /// when given, `nonce`; returns the claims once all hold. Times are Unix seconds.
    public func verify(using keys: JWKSet, issuer: String, audience: String, now: Int, leeway: Int = 60,
                       nonce: String?) throws(JWTError) -> Claims {
        // Only RS256: `none`, HS256 with the public key as secret, and friends are the classic forgeries.
        guard algorithm == "RS256" else { throw .unsupportedAlgorithm }
        guard header["crit"] == nil else { throw .malformed }
        let key = try selectKey(from: keys)
        guard key.verifyRS256(signature: signature, message: signingInput) else { throw .badSignature }
        try checkClaims(issuer: issuer, audience: audience, now: now, leeway: leeway, nonce: nonce)
        return claims
    }

    /// Checks only the algorithm (RS256), the key and the signature; the caller checks the
    /// claims it cares about. For tokens we issued ourselves, whose claims are looked up again
    /// (JWT access tokens: their `jti` names a stored row).
    public func verifySignature(using keys: JWKSet) throws(JWTError) {
        guard algorithm == "RS256" else { throw .unsupportedAlgorithm }
        guard header["crit"] == nil else { throw .malformed }
        let key = try selectKey(from: keys)
        guard key.verifyRS256(signature: signature, message: signingInput) else { throw .badSignature }
    }

    private func selectKey(from set: JWKSet) throws(JWTError) -> RSAPublicKey {
        let usable = set.keys.filter {
            $0.kty == "RSA" && ($0.use ?? "sig") == "sig" && ($0.alg ?? "RS256") == "RS256"
        }
        let candidates: [JWK]
        if let kid = header["kid"] {
            guard let kid = kid.stringValue else { throw .malformed }
            candidates = usable.filter { $0.kid == kid }
        } else {
            // Without a kid the choice is only unambiguous when the set holds a single key.
            candidates = set.keys.count == 1 ? usable : []
        }
        guard let jwk = candidates.first, let key = try? RSAPublicKey(jwk: jwk) else { throw .unknownKey }
        return key
    }

    private func checkClaims(issuer: String, audience: String, now: Int, leeway: Int,
                             nonce: String?) throws(JWTError) {
        guard claims.string("iss") == issuer else { throw .wrongIssuer }
        guard claims.audience.contains(audience) else { throw .wrongAudience }
        if let azp = claims["azp"], azp.stringValue != audience { throw .wrongAudience }
        // Subtracting from `now` rather than adding to the claim: claims are attacker-sized numbers.
        guard let expiry = claims["exp"] else { throw .missingClaim("exp") }
        guard let expiry = expiry.intValue else { throw .malformed }
        guard expiry > now - leeway else { throw .expired }
        for name in ["nbf", "iat"] {
            guard let value = claims[name] else { continue }
            guard let time = value.intValue else { throw .malformed }
            guard time <= now + leeway else { throw .notYetValid }
        }
        if let nonce {
            guard let claimed = claims.string("nonce"),
                  constantTimeEquals(Array(claimed.utf8), Array(nonce.utf8)) else { throw .nonceMismatch }
        }
    }
}
