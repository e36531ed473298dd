import Storage

/// Sign-in rate limits, kept in the database so every instance sees the same counts: after
/// `maxFailures` failures within `window` seconds, for one account or from one client IP,
/// further attempts are refused until the oldest failure ages out.
public struct LoginThrottle: Sendable {
    public var maxFailures: Int
    public var window: Int

    /// Limits of `maxFailures` per `window` seconds (5 in 15 minutes by default).
    public init(maxFailures: Int = 5, window: Int = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// Seconds until another attempt is allowed for this account or IP; nil when allowed now.
    func retryAfter(account: String, ip: String, now: Int, in db: any Connection) throws -> Int? {
        var wait: Int?
        for (scope, subject) in [("account", account), ("ip", ip)] {
            let rows = try db.query("SELECT created_at FROM login_attempts WHERE scope = ? AND subject = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                                    scope, subject, now - window, maxFailures)
            if rows.count >= maxFailures, let oldest = try rows.last?.int("created_at") {
                wait = max(wait ?? 0, oldest + window - now)
            }
        }
        return wait.map { max(1, $0) }
    }

    /// Records one failed attempt against both the account and the IP.
    func recordFailure(account: String, ip: String, now: Int, in db: any Connection) throws {
        try db.execute("INSERT INTO login_attempts (scope, subject, created_at) VALUES ('account', ?, ?)", account, now)
        try db.execute("INSERT INTO login_attempts (scope, subject, created_at) VALUES ('ip', ?, ?)", ip, now)
        try db.execute("DELETE FROM login_attempts WHERE created_at <= ?", now - window)
    }

    /// Forgets the account's failures after a successful sign-in (the IP's stay counted).
    func clear(account: String, in db: any Connection) throws {
        try db.execute("DELETE FROM login_attempts WHERE scope = 'account' AND subject = ?", account)
    }
}
