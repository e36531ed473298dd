/// What a user approved at the authorize step, remembered under the code until it is redeemed.
struct Authorization: Sendable {
    /// The fake's key for the user (GitHub's numeric id as text, Facebook's person id, `sub`).
    var userKey: String
    /// The client the code was issued to.
    var clientID: String
    /// The `redirect_uri` sent to the authorize step, exactly as sent (nil when absent).
    var redirectURI: String?
    /// The scopes granted.
    var scopes: [String]
    /// The PKCE challenge, when one was sent.
    var codeChallenge: String?
    /// The OpenID Connect nonce, when one was sent.
    var nonce: String?
}
