import Identity
import Localization
import Web

extension PasswordCheck {
    /// What a sign-in form answers when this check signed nobody in (nil when it did): the
    /// status, the sentence shown above the form (in `translator`'s language), and `Retry-After`
    /// when throttled. Both apps' forms read it, so a refusal reads the same everywhere.
    public func formRefusal(in translator: Translator) -> HTTPError? {
        switch self {
        case .verified:
            return nil
        case .invalidCredentials:
            return HTTPError(.unauthorized, translator.text("Invalid username or password."))
        case .refused:
            return HTTPError(.forbidden, translator.text("This account has been disabled. Contact the site's administrators."))
        case .throttled(let retryAfter, .account):
            // Many addresses failing for one account: slowed, not locked; its owner can still get in.
            return HTTPError(.tooManyRequests, translator.plural(
                one: "This account has had many failed sign-in attempts, so they are slowed down. Try again in {{count}} second.",
                other: "This account has had many failed sign-in attempts, so they are slowed down. Try again in {{count}} seconds.",
                count: retryAfter), headers: ["Retry-After": String(retryAfter)])
        case .throttled(let retryAfter, _):
            let minutes = max(1, (retryAfter + 59) / 60)
            return HTTPError(.tooManyRequests, translator.plural(one: "Too many failed sign-in attempts. Try again in {{count}} minute.",
                                                                 other: "Too many failed sign-in attempts. Try again in {{count}} minutes.",
                                                                 count: minutes),
                             headers: ["Retry-After": String(retryAfter)])
        }
    }
}
