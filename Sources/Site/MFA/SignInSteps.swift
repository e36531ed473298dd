import Accounts
import Identity
import IdentityWeb
import Web

/// The methods the site's sign-ins record in `session["amr"]` (RFC 8176 names where one
/// exists), so re-authentication and `REQUIRE_MFA_FOR_ADMINS` can ask what was used.
enum SignInMethod {
    static let password = AuthenticationMethod.password, emailCode = AuthenticationMethod.emailCode
    static let social = AuthenticationMethod.social, passkey = AuthenticationMethod.hardwareKey
    static let totp = AuthenticationMethod.oneTimePassword
    /// A recovery code is a one-time password too; the audit log tells it apart.
    static let recoveryCode = AuthenticationMethod.oneTimePassword
}

extension Session {
    /// Signs in after every factor: a new session id, and the record of how and when (through
    /// `signIn(userID:methods:at:)`, which every sign-in path shares). A passkey alone
    /// (possession plus the authenticator's user verification) also records `mfa`; two factors
    /// go through `SecondFactorPending.complete`, which does the same.
    func completeSignIn(userID: Int64, methods: [AuthenticationMethod], now: Int) {
        SecondFactorPending.clear(in: self)
        signIn(userID: userID, methods: methods.contains(SignInMethod.passkey) ? methods + [.multiFactor] : methods, at: now)
    }
}

extension SiteServices {
    /// After a first factor: signs `user` in, or, when the account has a second factor, starts
    /// the second step (`SecondFactorPending`, shared with the provider). Answers where to go.
    func afterFirstFactor(_ user: User, method: AuthenticationMethod, next: String?, greeting: String,
                          context: RequestContext) async throws -> String {
        let now = core.clock.now()
        // Administrators come to sign in to the console, unless a `next` says otherwise.
        let next = next ?? (user.isAdmin ? "/admin" : nil)
        if try await core.database.read({ db in try AccountSecurity.hasSecondFactor(userID: user.id, in: db) }) {
            SecondFactorPending(userID: user.id, methods: [method], startedAt: now, next: next, greeting: greeting).save(in: context.session)
            return SecondFactorController.path
        }
        context.session.completeSignIn(userID: user.id, methods: [method], now: now)
        context.session.flash(greeting, kind: "success")
        return next ?? "/account"
    }
}
