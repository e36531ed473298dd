import Foundation

/// Issuing RS256 tokens (the provider's id_tokens).
extension JWT {
    /// A compact RS256 JWS of `claims` with header `{"alg":"RS256","kid":kid,"typ":"JWT"}`.
    ///
    /// Throws `EncodingError` when the claims do not encode, `RSAKeyError` when signing fails.
    public static func sign(claims: some Encodable, key: RSAPrivateKey, kid: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let header: [String: String] = ["alg": "RS256", "kid": kid, "typ": "JWT"]
        let signingInput = Base64URL.encode(try encoder.encode(header)) + "."
            + Base64URL.encode(try encoder.encode(claims))
        let signature = try key.signRS256(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }
}
