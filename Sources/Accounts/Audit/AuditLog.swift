import Identity
import Storage

/// An append-only record of who did what to whom: sign-ins, password changes, admin actions.
public enum AuditLog {
    /// Appends an entry; `detail` must never contain a secret.
    public static func record(_ action: String, actor: Int64?, target: Int64?, detail: String = "", ip: String?, now: Int,
                              in db: any Connection) throws {
        try db.execute("INSERT INTO audit_log (actor_id, action, target_user, detail, remote_ip, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                       actor, action, target, detail, ip, now)
    }
}

/// An audit row to write inside the transaction of the change it records, so a change can
/// never commit without its entry (or the entry without the change).
public struct AuditEvent: Sendable {
    public var action: String
    public var actor: Int64?
    public var target: Int64?
    public var detail: String
    public var ip: String?

    /// An entry: `actor` did `action` to `target`.
    public init(_ action: String, actor: Int64?, target: Int64?, detail: String = "", ip: String?) {
        self.action = action
        self.actor = actor
        self.target = target
        self.detail = detail
        self.ip = ip
    }

    /// Writes the entry in `db`'s transaction.
    public func record(now: Int, in db: any Connection) throws {
        try AuditLog.record(action, actor: actor, target: target, detail: detail, ip: ip, now: now, in: db)
    }
}

extension AuditLog {
    /// The actions a failed password check writes.
    public static let signInFailed = "sign_in_failed", lockedOut = "sign_in_locked_out"

    /// Records a failed password check and, when it starts one, the lockout (in the transaction
    /// that counts the failure). An unknown username is not written down: people type their
    /// password into the username field often enough.
    public static func record(_ failure: SignInFailure, method: String, ip: String, in db: any Connection) throws {
        try record(signInFailed, actor: nil, target: failure.userID,
                   detail: failure.userID == nil ? "\(method): unknown username" : "\(method): wrong password", ip: ip, now: failure.now, in: db)
        if let limit = failure.lockedOut {
            try record(lockedOut, actor: nil, target: failure.userID,
                       detail: "limit=\(limit.rawValue) for up to \(failure.window / 60) min", ip: ip, now: failure.now, in: db)
        }
    }
}
