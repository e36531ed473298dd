import Storage

/// Sign-in rate limits for both apps' password checks (forms and the provider's password grant),
/// kept in the database (`sign_in_failures`, the identity schema) so every instance sees the
/// same counts: after `maxFailures` failures within `window` seconds, for one account or from
/// one client IP, further attempts are refused until the oldest failure ages out.
public struct SignInThrottle: Sendable {
    /// Failures allowed per account and per IP within `window`.
    public var maxFailures: Int
    /// The window, in seconds, over which failures are counted.
    public var window: Int

    /// Limits of `maxFailures` per `window` seconds (5 in 15 minutes by default).
    public init(maxFailures: Int = 5, window: Int = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// Seconds until another attempt is allowed for this account or IP; nil when allowed now.
    public func retryAfter(account: String, ip: String, now: Int, in db: any Connection) throws -> Int? {
        var wait: Int?
        for (scope, subject) in [("account", account), ("ip", ip)] {
            let rows = try db.query("SELECT created_at FROM sign_in_failures WHERE scope = ? AND subject = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                                    scope, subject, now - window, maxFailures)
            if rows.count >= maxFailures, let oldest = try rows.last?.int("created_at") {
                wait = max(wait ?? 0, oldest + window - now)
            }
        }
        return wait.map { max(1, $0) }
    }

    /// Records one failed attempt against both the account and the IP.
    public func recordFailure(account: String, ip: String, now: Int, in db: any Connection) throws {
        try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('account', ?, ?)", account, now)
        try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at) VALUES ('ip', ?, ?)", ip, now)
    }

    /// Forgets the account's failures after a successful sign-in (the IP's stay counted).
    public func clear(account: String, in db: any Connection) throws {
        try db.execute("DELETE FROM sign_in_failures WHERE scope = 'account' AND subject = ?", account)
    }

    /// Deletes failures older than any window could count (housekeeping).
    @discardableResult
    public func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM sign_in_failures WHERE created_at <= ?", now - window)
    }
}
