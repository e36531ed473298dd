/// Why an authorization request was refused. The first group concerns the client or its
/// redirect URI, which therefore cannot be trusted with a redirect: those are shown on an error
/// page. The rest are sent back to the (now trusted) redirect URI with an RFC 6749 §4.1.2.1 code.
public enum AuthorizationRequestError: Error, Sendable, Equatable {
    // Shown on a page.
    case missingClientID
    case unknownClient
    /// `client_id` or `redirect_uri` given more than once.
    case duplicateClientParameter(String)
    /// No `redirect_uri`, and the client has several registered.
    case missingRedirectURI
    /// A `redirect_uri` that is not exactly one of the client's.
    case redirectURIMismatch

    // Redirected back to the client.
    case duplicateParameter(String)
    /// A parameter longer than anything legitimate.
    case oversizedParameter(String)
    case missingResponseType
    case unsupportedResponseType(String)
    case unsupportedResponseMode(String)
    /// The client is not allowed the authorization code grant.
    case grantNotAllowed
    case malformedScope
    /// A scope the client was not registered for (or none at all).
    case scopeNotAllowed(String)
    /// No PKCE challenge from a client that must send one (every public client, and every
    /// confidential one with `require_pkce`).
    case pkceRequired
    /// `plain`, or a challenge without a method (which RFC 7636 reads as `plain`).
    case unsupportedChallengeMethod(String)
    case malformedChallenge
    /// `prompt=none` with other values, or a value we do not know.
    case malformedPrompt
    /// `max_age` that is not a non-negative whole number of seconds.
    case malformedMaxAge
    /// `dpop_jkt` that is not a SHA-256 thumbprint.
    case malformedDPoPKey
    /// RFC 8707: a `resource` we issue no tokens for (or too many of them).
    case invalidTarget(String)
    /// A plain request from a client that must push its requests first (RFC 9126 §6).
    case pushedRequestRequired
    /// The user said no.
    case accessDenied
    /// `prompt=none`, but nobody is signed in, or the sign-in is too old or too weak for the request.
    case loginRequired
    /// `prompt=none`, but the user has not consented yet.
    case consentRequired

    /// Whether the error may be sent to the redirect URI (false: show a page).
    public var isRedirectable: Bool {
        switch self {
        case .missingClientID, .unknownClient, .duplicateClientParameter, .missingRedirectURI, .redirectURIMismatch: false
        default: true
        }
    }
}
