import Storage

/// Sign-in rate limits for the pages and the password grant, kept in the database so every
/// instance sees the same counts: after `maxFailures` failures within `window` seconds, for one
/// account or from one client IP, further attempts are refused until the oldest ages out.
struct LoginThrottle: Sendable {
    var maxFailures: Int
    var window: Int

    /// Seconds until another attempt is allowed for this account or IP; nil when allowed now.
    func retryAfter(account: String, ip: String, now: Int, in db: any Connection) throws -> Int? {
        var wait: Int?
        for (scope, subject) in [("account", account), ("ip", ip)] {
            let rows = try db.query("SELECT created_at FROM login_failures WHERE scope = ? AND subject = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                                    scope, subject, now - window, maxFailures)
            if rows.count >= maxFailures, let oldest = try rows.last?.int("created_at") {
                wait = max(wait ?? 0, oldest + window - now)
            }
        }
        return wait.map { max(1, $0) }
    }

    /// Records one failed attempt against both the account and the IP.
    func recordFailure(account: String, ip: String, now: Int, in db: any Connection) throws {
        _ = try db.execute("INSERT INTO login_failures (scope, subject, created_at) VALUES ('account', ?, ?)", account, now)
        _ = try db.execute("INSERT INTO login_failures (scope, subject, created_at) VALUES ('ip', ?, ?)", ip, now)
        _ = try db.execute("DELETE FROM login_failures WHERE created_at <= ?", now - window)
    }

    /// Forgets the account's failures after a successful sign-in (the IP's stay counted).
    func clear(account: String, in db: any Connection) throws {
        _ = try db.execute("DELETE FROM login_failures WHERE scope = 'account' AND subject = ?", account)
    }
}
