/// A misbehaviour a fake shows on its next request(s) to one endpoint, so tests can prove the
/// site copes with slow, broken or hostile providers.
public enum FakeFault: Sendable, Equatable {
    /// Waits this many seconds, then answers normally: long enough for a client timeout to fire.
    case timeout(Double)
    /// Answers with this status and a short plain-text body instead of the real reply.
    case status(Int)
    /// Answers 200 with an HTML page, as a captive portal or an outage page would.
    case html
    /// Answers 200 `application/json` with a truncated document that no parser accepts.
    case malformedJSON
    /// The profile reply lacks the user's identifier (`id`, or `sub` for OpenID Connect).
    case profileWithoutID
    /// GitHub's `/user/emails` answers 404, as it does for a token without the `user:email` scope.
    case emailsNotFound
    /// The id_token is signed by a key that is not in the JWKS, under the published `kid`.
    case idTokenWrongSignature
    /// The id_token's `aud` names another client.
    case idTokenWrongAudience
    /// The id_token's `iss` names another issuer.
    case idTokenWrongIssuer
    /// The id_token expired long before it was issued to the client.
    case idTokenExpired
    /// The user refuses at the authorize step; the fake redirects back with the provider's error.
    case deny
}
