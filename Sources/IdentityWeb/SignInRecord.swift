import Web

/// How and when a session's user proved who they are, as an application reads it for a token:
/// the time (OpenID Connect's `auth_time`) and the methods (RFC 8176 `amr` values, in the order
/// they were used). A view over what `Session.signIn(userID:methods:at:)` and
/// `reauthenticated(with:at:)` record; nothing writes it separately.
public struct SignInRecord: Sendable, Equatable {
    /// When the last authentication happened (Unix seconds).
    public var time: Int
    /// RFC 8176 method references, in the order they were used.
    public var methods: [String]

    /// A record of `methods` used at `time`.
    public init(time: Int, methods: [String]) {
        self.time = time
        self.methods = methods
    }

    /// Whether a second factor was used.
    public var isMultiFactor: Bool { methods.contains(AuthenticationMethod.multiFactor.rawValue) }

    /// The session's record; nil when nobody is signed in. A session from before the methods
    /// were recorded counts as a password sign-in at the session's creation.
    public static func read(_ session: Session) -> SignInRecord? {
        guard session.userID != nil else { return nil }
        let methods = session.authenticationMethodsInOrder.map(\.rawValue)
        return SignInRecord(time: session.authenticatedAt ?? session.createdAt, methods: methods.isEmpty ? ["pwd"] : methods)
    }
}
