import Identity
import Storage

/// "Confirm it is you" before a sensitive action: the signed-in person's password, checked
/// exactly as the sign-in form checks it (the same throttle, so guesses here count toward the
/// same limits), or a sign-in code mailed to their address (`requestSignInCode` and
/// `signIn(userID:code:ip:action:)` with `reauthenticated`).
extension AccountService {
    /// The audit action of a successful re-authentication.
    public static let reauthenticatedAction = "reauthenticated"

    /// Checks `password` for `user`, who is signed in: `.verified` proves it is them.
    public func reauthenticate(_ user: User, password: String, ip: String) async throws -> PasswordCheck<User> {
        let id = user.id
        return try await credentials.signIn(
            username: user.username, password: password, ip: ip, id: { $0.id },
            find: { _, db in
                guard let row = try db.queryOne("SELECT \(UserRepository.columns) FROM users WHERE id = ?", id) else { return nil }
                return (try User(row: row), passwordHash: try row.optionalString("password_hash"))
            },
            admit: { !$0.isDisabled },
            onSuccess: { user, now, db in
                try AuditLog.record(Self.reauthenticatedAction, actor: user.id, target: user.id, detail: "password", ip: ip, now: now, in: db)
            },
            onFailure: { failure, db in try AuditLog.record(failure, method: "re-authentication", ip: ip, in: db) })
    }
}
