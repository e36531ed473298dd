import IdentityWeb
import Security
import Web

/// What an authorization request needs of the session's sign-in before a code may be issued
/// (OpenID Connect Core §3.1.2.1: `prompt=login`, `max_age`, `acr_values`).
enum AuthenticationNeed: Equatable {
    /// The session will do.
    case satisfied
    /// Sign in again: `prompt=login`, `max_age=0`, or a sign-in older than `max_age`.
    case signIn
    /// The request asks for two factors, the session used one and the account has a second:
    /// ask for it only (step-up).
    case secondFactor

    /// What `request` needs of `record`. `reauthenticated` says the visitor signed in again for
    /// this very request, which satisfies `prompt=login` and `max_age` (or they would loop).
    /// An account without a second factor asked for `acr_values=2` gets its level-1 token and
    /// the client decides (the request is voluntary; `acr` says what happened).
    static func of(_ request: AuthorizationRequest, record: SignInRecord, hasSecondFactor: Bool, reauthenticated: Bool,
                   now: Int) -> AuthenticationNeed {
        if !reauthenticated {
            if request.prompt.contains("login") || request.maxAge == 0 { return .signIn }
            if let maxAge = request.maxAge, now - record.time > maxAge { return .signIn }
        }
        if let level = AuthenticationMethods.requiredLevel(request.acrValues), level > AuthenticationMethods.level(record.methods),
           hasSecondFactor {
            return .secondFactor
        }
        return .satisfied
    }
}

/// The session's note that an authorization request sent the visitor to sign in again, bound to
/// that request (a hash of its URL): `pending` until a sign-in completes, then `done`, and used
/// up when the request comes back. A signed-in visitor with one pending sees the sign-in form
/// instead of being sent on.
enum Reauthentication {
    static let key = "reauth"

    /// Notes that `target` (the authorization request's path and query) wants a new sign-in.
    static func request(_ target: String, in session: Session) {
        session[key] = "pending:" + digest(target)
    }

    /// Whether a new sign-in is awaited.
    static func isPending(_ session: Session) -> Bool { session[key]?.hasPrefix("pending:") == true }

    /// A sign-in completed: the awaited one, if any, is done.
    static func signedIn(_ session: Session) {
        guard let value = session[key], value.hasPrefix("pending:") else { return }
        session[key] = "done:" + value.dropFirst("pending:".count)
    }

    /// Whether the visitor signed in again for `target`; uses the note up.
    static func consume(_ target: String, in session: Session) -> Bool {
        guard session[key] == "done:" + digest(target) else { return false }
        session[key] = nil
        return true
    }

    static func digest(_ target: String) -> String { Hex.encode(SHA256.hash(target)) }
}
