import Web

/// How and when a session's user proved who they are: the time (OpenID Connect's `auth_time`)
/// and the methods (RFC 8176 `amr` values: `pwd`, `otp`, `hwk`, `swk`, plus `mfa` when two
/// factors were used). Written into the session when a sign-in completes, for id_tokens and for
/// anything that asks for a recent or a stronger sign-in.
public struct SignInRecord: Sendable, Equatable {
    /// When the last authentication happened (Unix seconds).
    public var time: Int
    /// RFC 8176 method references, in the order they were used.
    public var methods: [String]

    static let timeKey = "auth_time"
    static let methodsKey = "amr"

    /// A record of `methods` used at `time`.
    public init(time: Int, methods: [String]) {
        self.time = time
        self.methods = methods
    }

    /// Whether a second factor was used.
    public var isMultiFactor: Bool { methods.contains("mfa") }

    /// The session's record; a signed-in session from before records kept methods counts as a
    /// password sign-in at the session's creation.
    public static func read(_ session: Session) -> SignInRecord? {
        guard session.userID != nil else { return nil }
        let time = session[timeKey].flatMap { Int($0) } ?? session.createdAt
        let methods = session[methodsKey].map { $0.split(separator: " ").map(String.init) } ?? ["pwd"]
        return SignInRecord(time: time, methods: methods.isEmpty ? ["pwd"] : methods)
    }

    /// Stores the record in `session`.
    public func write(to session: Session) {
        session[Self.timeKey] = String(time)
        session[Self.methodsKey] = methods.joined(separator: " ")
    }
}
