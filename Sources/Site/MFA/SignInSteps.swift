import Accounts
import Identity
import IdentityWeb
import Web

/// The half-signed-in state between a first factor (password, sign-in code, social sign-in) and
/// the second, kept in the session. The session is not signed in meanwhile (`session.userID`
/// stays nil), so every page that needs an account still sends the visitor to sign in.
struct PendingSignIn: Equatable {
    /// Session keys: the account, when the first factor passed, how, where to go afterwards, and
    /// the greeting to show then.
    enum Key {
        static let user = "mfa_user", at = "mfa_at", method = "mfa_method", next = "mfa_next", greeting = "mfa_greeting"
        static let all = [user, at, method, next, greeting]
    }

    /// Seconds the second step may take, like a WebAuthn challenge: long enough to find a phone.
    static let lifetime = 300

    let userID: Int64
    let at: Int
    /// The first factor's method name (`SignInMethod`).
    let method: String
    let next: String?
    let greeting: String

    /// The pending sign-in in `session`; nil when there is none or it expired (then it is cleared).
    static func load(from session: Session, now: Int) -> PendingSignIn? {
        guard let userID = session[Key.user].flatMap({ Int64($0) }), let at = session[Key.at].flatMap({ Int($0) }) else { return nil }
        guard now - at <= lifetime, now >= at else {
            clear(session)
            return nil
        }
        return PendingSignIn(userID: userID, at: at, method: session[Key.method] ?? "", next: session[Key.next],
                             greeting: session[Key.greeting] ?? "Signed in.")
    }

    func save(in session: Session) {
        session[Key.user] = String(userID)
        session[Key.at] = String(at)
        session[Key.method] = method
        session[Key.next] = next
        session[Key.greeting] = greeting
    }

    static func clear(_ session: Session) {
        for key in Key.all { session[key] = nil }
    }
}

/// The names recorded in `session["amr"]` (`AuthenticationMethod`'s raw values, after RFC 8176),
/// so re-authentication and `REQUIRE_MFA_FOR_ADMINS` can ask what was used.
enum SignInMethod {
    static let password = AuthenticationMethod.password.rawValue, emailCode = AuthenticationMethod.emailCode.rawValue
    static let social = AuthenticationMethod.social.rawValue, passkey = AuthenticationMethod.hardwareKey.rawValue
    static let totp = AuthenticationMethod.oneTimePassword.rawValue
    /// A recovery code is a one-time password too; the audit log tells it apart.
    static let recoveryCode = AuthenticationMethod.oneTimePassword.rawValue
}

extension Session {
    /// Signs in after every factor: a new session id, and the record of how and when (through
    /// `signIn(userID:methods:at:)`, which every sign-in path shares). Two factors, or a passkey
    /// (possession plus the authenticator's user verification), also record `mfa`.
    func completeSignIn(userID: Int64, methods: [String], now: Int) {
        PendingSignIn.clear(self)
        var recorded = methods.map(AuthenticationMethod.init(rawValue:))
        if methods.count > 1 || methods.contains(SignInMethod.passkey) { recorded.append(.multiFactor) }
        signIn(userID: userID, methods: recorded, at: now)
    }
}

extension SiteServices {
    /// After a first factor: signs `user` in, or, when the account has a second factor, starts
    /// the second step. Answers where to go.
    func afterFirstFactor(_ user: User, method: String, next: String?, greeting: String, context: RequestContext) async throws -> String {
        let now = core.clock.now()
        if try await core.database.read({ db in try AccountSecurity.hasSecondFactor(userID: user.id, in: db) }) {
            PendingSignIn(userID: user.id, at: now, method: method, next: next, greeting: greeting).save(in: context.session)
            return SecondFactorController.path
        }
        context.session.completeSignIn(userID: user.id, methods: [method], now: now)
        context.session.flash(greeting, kind: "success")
        return next ?? "/account"
    }
}
