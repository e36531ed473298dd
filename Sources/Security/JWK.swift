/// A JSON Web Key (RFC 7517), as found in a provider's `jwks_uri` document.
///
/// Only the members RS256 needs; unknown members are ignored, and `n`/`e` are optional so a set
/// that also lists EC or symmetric keys still decodes.
public struct JWK: Codable, Sendable, Equatable {
    /// Key type, e.g. "RSA".
    public var kty: String
    /// Key id, matched against a token's `kid` header.
    public var kid: String?
    /// Intended use, "sig" for signing keys.
    public var use: String?
    /// Algorithm the key is meant for, e.g. "RS256".
    public var alg: String?
    /// RSA modulus, base64url.
    public var n: String?
    /// RSA public exponent, base64url.
    public var e: String?

    /// A key from its members.
    public init(kty: String, kid: String? = nil, use: String? = nil, alg: String? = nil,
                n: String? = nil, e: String? = nil) {
        self.kty = kty
        self.kid = kid
        self.use = use
        self.alg = alg
        self.n = n
        self.e = e
    }
}

/// A JWK Set (RFC 7517 §5): `{"keys": [...]}`.
public struct JWKSet: Codable, Sendable, Equatable {
    /// The keys, in document order.
    public var keys: [JWK]

    /// A set of `keys`.
    public init(keys: [JWK]) {
        self.keys = keys
    }
}
