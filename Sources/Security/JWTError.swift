/// Why a JSON Web Token was rejected.
public enum JWTError: Error, Sendable, Equatable {
    /// Not a well-formed compact JWS with JSON object header and claims, or too large.
    case malformed
    /// The header's `alg` is anything but RS256 (including `none` and HMAC algorithms).
    case unsupportedAlgorithm
    /// No usable RS256 key in the set matches the token's `kid`.
    case unknownKey
    /// The signature does not verify.
    case badSignature
    /// `iss` is missing or not the expected issuer.
    case wrongIssuer
    /// `aud` is missing or does not include us, or `azp` names another party.
    case wrongAudience
    /// `exp` is in the past (beyond the leeway).
    case expired
    /// `nbf` or `iat` is in the future (beyond the leeway).
    case notYetValid
    /// `nonce` is missing or differs from the one we sent.
    case nonceMismatch
    /// A claim the checks require is absent (`exp`).
    case missingClaim(String)
}
