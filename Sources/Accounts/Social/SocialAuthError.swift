/// Everything that can go wrong in social sign-in, by name. Controllers map these to pages (and
/// the API to JSON codes) at the edge; none of them carries a token.
public enum SocialAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The provider is unknown or not configured.
    case unknownProvider(String)
    /// The person pressed Cancel / Deny at the provider.
    case cancelled
    /// The provider sent the user back with another error.
    case providerRejected(String)
    /// `state` missing, unknown, already used, from another browser session, or for another provider.
    case invalidState
    /// `state` older than its 10 minutes.
    case expiredState
    /// No `code` in the callback.
    case missingCode
    /// The provider could not be reached, timed out, answered 5xx or garbage.
    case providerUnavailable(String)
    /// The provider refused the code or token (`invalid_grant`, `bad_verification_code`…).
    case tokenRejected(String)
    /// The profile lacked an id or was malformed.
    case invalidProfile(String)
    /// The OpenID Connect id_token failed verification.
    case invalidIDToken(String)
    /// An unlinked social account whose (verified) email belongs to an existing local account;
    /// `email` is that address, to offer the owner a sign-in code (the safe merge).
    case emailBelongsToExistingAccount(provider: String, email: String)
    /// The social account is already linked to another user.
    case linkedToAnotherUser(provider: String)
    /// The user behind a linked social account is disabled.
    case accountDisabled
    /// Unlinking would leave the user no way to sign in.
    case lastSignInMethod
    /// A token for another app (audience check failed).
    case wrongAudience
    /// A token the provider says is invalid or expired.
    case invalidToken

    public var description: String {
        switch self {
        case .unknownProvider(let id): "unknown or disabled provider \(id)"
        case .cancelled: "cancelled at the provider"
        case .providerRejected(let error): "provider returned error \(error)"
        case .invalidState: "invalid state"
        case .expiredState: "expired state"
        case .missingCode: "missing code"
        case .providerUnavailable(let reason): "provider unavailable: \(reason)"
        case .tokenRejected(let reason): "token request rejected: \(reason)"
        case .invalidProfile(let reason): "invalid profile: \(reason)"
        case .invalidIDToken(let reason): "invalid id_token: \(reason)"
        case .emailBelongsToExistingAccount(let provider, _): "email of \(provider) account belongs to an existing account"
        case .linkedToAnotherUser(let provider): "\(provider) account linked to another user"
        case .accountDisabled: "account disabled"
        case .lastSignInMethod: "last sign-in method"
        case .wrongAudience: "token issued to another application"
        case .invalidToken: "invalid token"
        }
    }
}
