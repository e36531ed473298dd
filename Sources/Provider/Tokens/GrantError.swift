/// Why a grant was refused at the token endpoint. Named for what happened; the endpoint maps
/// each to its RFC 6749 §5.2 code (`invalid_grant`, `invalid_scope`, …) and nothing else does.
public enum GrantError: Error, Sendable, Equatable {
    case codeUnknown
    case codeExpired
    /// A second use: every token issued from the code has just been revoked.
    case codeReused
    case codeIssuedToAnotherClient
    /// The token request's `redirect_uri` differs from the authorization request's.
    case redirectURIMismatch
    /// The authorization request named a `redirect_uri` and the token request did not.
    case redirectURIMissing
    /// The code was bound to a PKCE challenge and no verifier came.
    case verifierMissing
    case verifierMismatch
    /// A verifier for a code that was issued without a challenge.
    case verifierUnexpected
    case refreshTokenUnknown
    case refreshTokenExpired
    case refreshTokenRevoked
    /// A rotated-away refresh token came back: the whole family has just been revoked.
    case refreshTokenReused
    case refreshTokenIssuedToAnotherClient
    /// The password grant's username and password do not match.
    case invalidCredentials
    /// The password grant for an account with a second factor, which only the sign-in page asks for.
    case secondFactorRequired
    /// Too many failed password grants for the account or address.
    case throttled(retryAfter: Int)
    /// A scope the grant never carried, or the client may not ask for.
    case scopeNotAllowed(String)
    /// `openid` without a user (client_credentials).
    case scopeNeedsUser
    /// RFC 9449: the code or refresh token is bound to a DPoP key and the request's proof is
    /// missing or made with another key.
    case dpopKeyMismatch
    /// RFC 8707: a `resource` we issue no tokens for.
    case unknownResource(String)
    /// RFC 8707: a `resource` the authorization grant did not name (a token request may narrow only).
    case resourceOutsideGrant(String)
    // The device grant (RFC 8628 §3.5).
    case deviceCodeUnknown
    case deviceCodeIssuedToAnotherClient
    /// The user has not decided yet.
    case authorizationPending
    /// Polled sooner than the interval allows; the interval is now `interval` seconds.
    case slowDown(interval: Int)
    case deviceCodeExpired
    /// The user denied the device.
    case deviceDenied
    /// The device code was exchanged already.
    case deviceCodeUsed
    /// The client changed (or was removed) since the copy the request was authenticated with
    /// was read: nothing was issued, and the token endpoint tries again with a fresh read.
    case clientChanged
}
