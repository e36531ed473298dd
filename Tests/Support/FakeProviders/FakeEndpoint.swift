/// The endpoints of a fake that a fault can target; each fake maps its own paths onto these.
public enum FakeEndpoint: String, Sendable, CaseIterable {
    /// The browser-facing authorize (consent) page.
    case authorize
    /// The code and refresh-token exchange, and Facebook's long-lived token exchange.
    case token
    /// The signed-in user's profile: GitHub `/user`, Facebook `/me`, OpenID Connect userinfo.
    case profile
    /// GitHub's `/user/emails`.
    case emails
    /// Checking a token: GitHub's token check, Facebook's `debug_token`, introspection.
    case tokenInfo
    /// Revoking a grant or token.
    case revoke
    /// The OpenID Connect discovery document.
    case discovery
    /// The JSON Web Key Set.
    case jwks
}
