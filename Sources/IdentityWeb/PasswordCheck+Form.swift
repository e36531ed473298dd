import Identity
import Web

extension PasswordCheck {
    /// What a sign-in form answers when this check signed nobody in (nil when it did): the
    /// status, the sentence shown above the form, and `Retry-After` when throttled. Both apps'
    /// forms read it, so a refusal reads the same everywhere.
    public var formRefusal: HTTPError? {
        switch self {
        case .verified:
            return nil
        case .invalidCredentials:
            return HTTPError(.unauthorized, "Invalid username or password.")
        case .refused:
            return HTTPError(.forbidden, "This account has been disabled. Contact the site's administrators.")
        case .throttled(let retryAfter, .account):
            // Many addresses failing for one account: slowed, not locked; its owner can still get in.
            return HTTPError(.tooManyRequests, "This account has had many failed sign-in attempts, so they are slowed down. "
                             + "Try again in \(retryAfter) second\(retryAfter == 1 ? "" : "s").", headers: ["Retry-After": String(retryAfter)])
        case .throttled(let retryAfter, _):
            let minutes = max(1, (retryAfter + 59) / 60)
            return HTTPError(.tooManyRequests, "Too many failed sign-in attempts. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").",
                             headers: ["Retry-After": String(retryAfter)])
        }
    }
}
