import Web

/// The half-signed-in state between a right password and the second factor, for both apps.
/// The session names nobody (`userID` stays nil) until `complete` runs, so nothing that needs a
/// signed-in user can be reached with only the password. A signed-in session can carry one too,
/// when a stronger sign-in is asked for (step-up): the account is the session's own.
public struct SecondFactorPending: Sendable, Equatable {
    /// The account that gave its first factor.
    public let userID: Int64
    /// What it proved so far (RFC 8176: `pwd`).
    public let methods: [String]
    /// When the first factor was given.
    public let startedAt: Int
    /// Where to go once signed in (already validated by the app).
    public var next: String?

    /// Ten minutes to type a code; then the password is asked for again.
    public static let lifetime = 600

    static let userKey = "_2fa_user", methodsKey = "_2fa_methods", startedKey = "_2fa_started", nextKey = "_2fa_next"

    /// A pending sign-in of `userID`, which proved `methods` at `startedAt`.
    public init(userID: Int64, methods: [String], startedAt: Int, next: String?) {
        self.userID = userID
        self.methods = methods
        self.startedAt = startedAt
        self.next = next
    }

    /// The session's pending sign-in, unless there is none or it is older than `lifetime`.
    public static func load(from session: Session, now: Int) -> SecondFactorPending? {
        guard let user = session[userKey].flatMap({ Int64($0) }), let started = session[startedKey].flatMap({ Int($0) }),
              now - started < lifetime, started <= now else { return nil }
        let methods = (session[methodsKey] ?? "pwd").split(separator: " ").map(String.init)
        return SecondFactorPending(userID: user, methods: methods, startedAt: started, next: session[nextKey])
    }

    /// Whether the session holds one, live or expired.
    public static func exists(in session: Session) -> Bool { session[userKey] != nil }

    /// Stores it in `session`, replacing any other.
    public func save(in session: Session) {
        session[Self.userKey] = String(userID)
        session[Self.methodsKey] = methods.joined(separator: " ")
        session[Self.startedKey] = String(startedAt)
        session[Self.nextKey] = next
    }

    /// Forgets the pending sign-in.
    public static func clear(in session: Session) {
        for key in [userKey, methodsKey, startedKey, nextKey] { session[key] = nil }
    }

    /// Signs the account in (a new session id) after the second factor `method` (RFC 8176:
    /// `otp`, `hwk`, `swk`) was accepted, and records both factors with `mfa`.
    @discardableResult
    public func complete(with method: String, now: Int, in session: Session) -> SignInRecord {
        Self.clear(in: session)
        session.signIn(userID: userID)
        var methods = methods
        for value in [method, "mfa"] where !methods.contains(value) { methods.append(value) }
        let record = SignInRecord(time: now, methods: methods)
        record.write(to: session)
        return record
    }
}
