import Security

/// The server metadata document (RFC 8414), also served as OpenID Connect Discovery's
/// `openid-configuration`: one document, so the two can never disagree.
enum ProviderMetadata {
    static func document(issuer: String, resources: KnownResources, registration: Bool = false) -> JSONValue {
        let authMethods: JSONValue = ["client_secret_basic", "client_secret_post", "none"]
        var document: JSONValue = [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(issuer + "/oauth/authorize"),
            "token_endpoint": .string(issuer + "/oauth/token"),
            "revocation_endpoint": .string(issuer + "/oauth/revoke"),
            "introspection_endpoint": .string(issuer + "/oauth/introspect"),
            "userinfo_endpoint": .string(issuer + "/oauth/userinfo"),
            "pushed_authorization_request_endpoint": .string(issuer + "/oauth/par"),
            // Per client (`require_par`); the server as a whole also takes plain requests.
            "require_pushed_authorization_requests": false,
            "device_authorization_endpoint": .string(issuer + "/oauth/device_authorization"),
            "jwks_uri": .string(issuer + "/.well-known/jwks.json"),
            "end_session_endpoint": .string(issuer + "/oauth/logout"),
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
            "scopes_supported": .array(ScopeSet.standard.map(JSONValue.string)),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": .array(GrantType.allCases.map { .string($0.rawValue) }),
            "token_endpoint_auth_methods_supported": authMethods,
            "revocation_endpoint_auth_methods_supported": authMethods,
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "amr", "acr", "nonce", "at_hash",
                                 "preferred_username", "name", "email", "email_verified", "sid"],
            "acr_values_supported": .array(AuthenticationMethods.supportedACRValues.map(JSONValue.string)),
            "claims_parameter_supported": false,
            "prompt_values_supported": ["none", "login", "consent", "select_account"],
            "authorization_response_iss_parameter_supported": true,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            // RFC 9728 §4: the resources whose tokens we issue (`resource` values, RFC 8707).
            "protected_resources": .array(resources.all.map(JSONValue.string)),
            // RFC 9449 §5.1: DPoP-bound tokens, with proofs signed by these.
            "dpop_signing_alg_values_supported": .array(DPoPProof.algorithms.map(JSONValue.string)),
        ]
        // RFC 8414 §2: named only when registration is on (PROVIDER_REGISTRATION=open|token).
        if registration, case .object(var fields) = document {
            fields["registration_endpoint"] = .string(issuer + "/oauth/register")
            document = .object(fields)
        }
        return document
    }
}
