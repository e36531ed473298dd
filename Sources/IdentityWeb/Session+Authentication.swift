import Web

/// How a person proved who they are, as the session records it (`amr`). RFC 8176 names where
/// one exists (`pwd`, `otp`, `hwk`, `swk`, `mfa`); the rest are ours. A struct, not an enum,
/// so the second-factor pages can add methods without touching this file.
public struct AuthenticationMethod: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A password typed into a form.
    public static let password = AuthenticationMethod(rawValue: "pwd")
    /// A one-time code mailed to the account's address (one factor: it proves the mailbox).
    public static let emailCode = AuthenticationMethod(rawValue: "email")
    /// A sign-in at a linked identity provider.
    public static let social = AuthenticationMethod(rawValue: "fed")
    /// A code from an authenticator app (TOTP) or a recovery code.
    public static let oneTimePassword = AuthenticationMethod(rawValue: "otp")
    /// A passkey held in hardware.
    public static let hardwareKey = AuthenticationMethod(rawValue: "hwk")
    /// A passkey held in software (synced).
    public static let softwareKey = AuthenticationMethod(rawValue: "swk")
    /// Several factors, when the app does not say which.
    public static let multiFactor = AuthenticationMethod(rawValue: "mfa")

    /// The methods that count as a second factor (`REQUIRE_MFA_FOR_ADMINS`).
    public static let secondFactors: Set<AuthenticationMethod> = [.oneTimePassword, .hardwareKey, .softwareKey, .multiFactor]
}

/// When and how the session's person last proved who they are. Written at every sign-in and
/// re-authentication; read before sensitive actions ("sign in again to continue").
extension Session {
    /// The session keys: `auth_at` (Unix seconds) and `amr` (space-separated method names, in
    /// the order they were first used).
    public enum AuthenticationKey {
        public static let at = "auth_at", methods = "amr"
    }

    /// Signs `userID` in (a new session id, see `signIn(userID:)`) and records that they just
    /// proved it with `methods`. Every sign-in path goes through here, so none forgets the time.
    public func signIn(userID: Int64, methods: [AuthenticationMethod], at now: Int) {
        signIn(userID: userID)
        self[AuthenticationKey.at] = String(now)
        self[AuthenticationKey.methods] = Self.encode(methods)
    }

    /// Records a re-authentication of the signed-in person with `method`: the time moves on, and
    /// the method joins those the session has used (a password re-check does not forget that
    /// the sign-in used a second factor).
    public func reauthenticated(with method: AuthenticationMethod, at now: Int) {
        self[AuthenticationKey.at] = String(now)
        self[AuthenticationKey.methods] = Self.encode(Array(authenticationMethods) + [method])
    }

    /// When the person last signed in or re-authenticated; nil for sessions from before this was
    /// recorded (they count as stale).
    public var authenticatedAt: Int? { self[AuthenticationKey.at].flatMap { Int($0) } }

    /// The methods used in this session's sign-in and re-authentications.
    public var authenticationMethods: Set<AuthenticationMethod> { Set(authenticationMethodsInOrder) }

    /// The same, in the order they were first used (`pwd otp mfa`), as an id_token's `amr` lists them.
    public var authenticationMethodsInOrder: [AuthenticationMethod] {
        (self[AuthenticationKey.methods] ?? "").split(separator: " ").map { AuthenticationMethod(rawValue: String($0)) }
    }

    /// Whether the session's sign-in (or a re-authentication) used a second factor.
    public var usedSecondFactor: Bool { !authenticationMethods.isDisjoint(with: AuthenticationMethod.secondFactors) }

    /// Whether the person proved who they are at most `timeout` seconds before `now`.
    public func isRecentlyAuthenticated(now: Int, within timeout: Int) -> Bool {
        guard userID != nil, let at = authenticatedAt else { return false }
        return at <= now && now - at <= timeout
    }

    private static func encode(_ methods: [AuthenticationMethod]) -> String {
        var seen = Set<String>()
        return methods.map(\.rawValue).filter { seen.insert($0).inserted }.joined(separator: " ")
    }
}
