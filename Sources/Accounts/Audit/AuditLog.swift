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
