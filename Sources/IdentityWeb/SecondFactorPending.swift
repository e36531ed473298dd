import Web

/// The half-signed-in state between a first factor (password, emailed code, social sign-in)
/// and the second, for both apps. The session names nobody (`userID` stays nil) until
/// `complete` runs, so nothing that needs a signed-in user can be reached with the first factor
/// alone. A signed-in session can carry one too, when an application asks for a stronger
/// sign-in (the provider's step-up): the account is then the session's own.
public struct SecondFactorPending: Sendable, Equatable {
    /// The account that gave its first factor.
    public let userID: Int64
    /// What it proved so far (`pwd`, `email`, `fed`, …).
    public let methods: [AuthenticationMethod]
    /// When the first factor was given (Unix seconds).
    public let startedAt: Int
    /// Where to go once signed in (already validated by the app).
    public var next: String?
    /// What to say once signed in ("Signed in as ada."), when the app says something.
    public var greeting: String?

    /// Seconds the second step may take: as long as a WebAuthn challenge lives, and enough to
    /// find a phone. Then the first factor is asked for again.
    public static let lifetime = 300

    enum Key {
        static let user = "mfa_user", methods = "mfa_methods", at = "mfa_at", next = "mfa_next", greeting = "mfa_greeting"
        static let all = [user, methods, at, next, greeting]
    }

    /// A pending sign-in of `userID`, which proved `methods` at `startedAt`.
    public init(userID: Int64, methods: [AuthenticationMethod], startedAt: Int, next: String?, greeting: String? = nil) {
        self.userID = userID
        self.methods = methods
        self.startedAt = startedAt
        self.next = next
        self.greeting = greeting
    }

    /// The session's pending sign-in; nil when there is none, and an expired one is forgotten.
    public static func load(from session: Session, now: Int) -> SecondFactorPending? {
        guard let user = session[Key.user].flatMap({ Int64($0) }), let started = session[Key.at].flatMap({ Int($0) }) else { return nil }
        guard started <= now, now - started <= lifetime else {
            clear(in: session)
            return nil
        }
        let methods = (session[Key.methods] ?? "").split(separator: " ").map { AuthenticationMethod(rawValue: String($0)) }
        return SecondFactorPending(userID: user, methods: methods, startedAt: started, next: session[Key.next], greeting: session[Key.greeting])
    }

    /// Stores it in `session`, replacing any other.
    public func save(in session: Session) {
        session[Key.user] = String(userID)
        session[Key.methods] = methods.map(\.rawValue).joined(separator: " ")
        session[Key.at] = String(startedAt)
        session[Key.next] = next
        session[Key.greeting] = greeting
    }

    /// Forgets the pending sign-in.
    public static func clear(in session: Session) {
        for key in Key.all where session[key] != nil { session[key] = nil }
    }

    /// Signs the account in (a new session id) after the second factor `method` was accepted,
    /// recording both factors and `mfa` (RFC 8176) through `Session.signIn(userID:methods:at:)`.
    public func complete(with method: AuthenticationMethod, now: Int, in session: Session) {
        Self.clear(in: session)
        session.signIn(userID: userID, methods: methods + [method, .multiFactor], at: now)
    }
}
