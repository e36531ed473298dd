/// What is shared by the codes a person types as a second factor (authenticator app codes and
/// recovery codes): the outcome of a check, and one limit on wrong codes per account, so six
/// digits cannot be guessed by brute force and the two kinds do not add up to twice the tries.
public enum SecondFactor {
    /// Wrong codes (of either kind) allowed per account in the window; then the account waits.
    /// Three codes are valid at any moment (±1 step), so five tries give a guesser about 1.5
    /// chances in 100,000 per quarter hour.
    public static let attemptLimit = RateLimit("second_factor", limit: 5, window: 900)

    /// What checking a code found.
    public enum Check: Sendable, Equatable {
        /// Right; the code is used up.
        case accepted
        /// Wrong; counted toward `attemptLimit`.
        case wrong
        /// Right once, but used already (a TOTP step or recovery code cannot be used twice);
        /// counted like a wrong code.
        case alreadyUsed
        /// The account has no such second factor (or the authenticator app is not confirmed yet).
        case notEnrolled
        /// Too many wrong codes; nothing was checked. Try again after `retryAfter` seconds.
        case throttled(retryAfter: Int)
    }

    static func subject(_ userID: Int64) -> String { "user:\(userID)" }
}
