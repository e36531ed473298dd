import Security

/// Why a passkey ceremony was refused. The web layer shows one message for all of them ("that
/// passkey did not work"); the case is for the log and the tests.
public enum PasskeyError: Error, Sendable, Equatable {
    /// No challenge of ours for this ceremony: never issued, or issued for the other one.
    case challengeUnknown
    /// The challenge was used already (a replay).
    case challengeReused
    /// The challenge is older than five minutes.
    case challengeExpired
    /// The registration's challenge was issued to another account.
    case challengeForAnotherAccount
    /// No stored credential has this id (deleted, or never registered here).
    case unknownCredential
    /// The credential belongs to another account than the one signing in.
    case credentialOfAnotherAccount
    /// The credential id is registered already.
    case credentialAlreadyRegistered
    /// The account has `PasskeyRepository.maxPerUser` passkeys already.
    case tooManyPasskeys
    /// A sign-in without a username must name its account through the user handle.
    case userHandleMissing
    /// The user handle names another account than the credential's.
    case userHandleMismatch
    /// The response failed a check of the WebAuthn specification.
    case verification(WebAuthnError)
}
