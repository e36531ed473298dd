import Security

/// The protected-resource metadata (RFC 9728) of the provider's own resource endpoints,
/// userinfo and `/api/profile`: one resource, named by the issuer URL, whose tokens this same
/// provider issues. Served at `/.well-known/oauth-protected-resource` and named by every 401
/// those endpoints send (§5.1).
enum ProtectedResourceMetadata {
    static let path = "/.well-known/oauth-protected-resource"

    /// Where the document is, for `resource_metadata` in challenges.
    static func url(issuer: String) -> String { issuer + path }

    static func document(issuer: String) -> JSONValue {
        [
            "resource": .string(issuer),
            "authorization_servers": [.string(issuer)],
            "jwks_uri": .string(issuer + "/.well-known/jwks.json"),
            "scopes_supported": .array(ScopeSet.standard.map(JSONValue.string)),
            "bearer_methods_supported": ["header"],
            "dpop_signing_alg_values_supported": .array(DPoPProof.algorithms.map(JSONValue.string)),
            "dpop_bound_access_tokens_required": false,
            "resource_name": "Latchkey ID",
            "resource_documentation": .string(issuer + "/.well-known/openid-configuration"),
        ]
    }
}
