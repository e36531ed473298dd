import Foundation

/// Issuing RS256 tokens (the provider's id_tokens and JWT access tokens).
extension JWT {
    /// A compact RS256 JWS of `claims` with header `{"alg":"RS256","kid":kid,"typ":typ}`; `typ`
    /// is `JWT` for id_tokens and `at+jwt` for access tokens (RFC 9068 §2.1), so one can never
    /// be passed off as the other.
    ///
    /// Throws `EncodingError` when the claims do not encode, `RSAKeyError` when signing fails.
    public static func sign(claims: some Encodable, key: RSAPrivateKey, kid: String, typ: String = "JWT") throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header: [String: String] = ["alg": "RS256", "kid": kid, "typ": typ]
        let signingInput = Base64URL.encode(try encoder.encode(header)) + "."
            + Base64URL.encode(try encoder.encode(claims))
        let signature = try key.signRS256(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }
}
