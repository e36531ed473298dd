/// The form of the access tokens a client receives. Opaque tokens are the default: random
/// strings stored only as their hash, meaningful to nobody but us. JWT access tokens (RFC 9068)
/// let a resource server check a token offline with our JWKS; they are still recorded (by the
/// hash of their `jti`), so revocation and introspection treat both forms alike.
public enum AccessTokenFormat: String, Sendable, CaseIterable {
    case opaque
    case jwt
}
