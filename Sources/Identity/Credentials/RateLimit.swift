import Storage

/// A limit of `limit` events per `window` seconds per subject, counted in the database
/// (`rate_events`) so every instance shares it: sign-ups per address, API sign-in attempts per
/// address. Counting and recording happen in the caller's write transaction, serialized per
/// subject on PostgreSQL by an advisory lock (SQLite's single writer does it there), so a burst
/// of concurrent requests cannot overshoot.
public struct RateLimit: Sendable {
    /// Which limit this is (a row's `bucket`).
    public let bucket: String
    /// Events allowed per window.
    public let limit: Int
    /// The window, in seconds.
    public let window: Int

    /// A limit of `limit` per `window` seconds in `bucket`.
    public init(_ bucket: String, limit: Int, window: Int) {
        self.bucket = bucket
        self.limit = limit
        self.window = window
    }

    /// Counts one event for `subject`, or returns the seconds to wait when the limit is reached
    /// (and counts nothing).
    public func hit(_ subject: String, now: Int, in db: any Connection) throws -> Int? {
        if db.dialect == .postgres {
            _ = try db.query("SELECT pg_advisory_xact_lock(hashtext(?))", "latchkey.rate.\(bucket):\(subject)")
        }
        if let wait = try wait(subject, now: now, in: db) { return wait }
        try db.execute("INSERT INTO rate_events (bucket, subject, created_at, expires_at) VALUES (?, ?, ?, ?)", bucket, subject, now, now + window)
        return nil
    }

    /// The seconds `subject` must wait before another event counts; nil when it may go now. A
    /// cheap look before expensive work (a password hash); `hit` decides.
    public func wait(_ subject: String, now: Int, in db: any Connection) throws -> Int? {
        let rows = try db.query("SELECT created_at FROM rate_events WHERE bucket = ? AND subject = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                                bucket, subject, now - window, limit)
        guard rows.count >= limit, let oldest = try rows.last?.int("created_at") else { return nil }
        return max(1, oldest + window - now)
    }

    /// Deletes expired events (housekeeping).
    @discardableResult
    public static func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM rate_events WHERE expires_at <= ?", now)
    }
}

/// Too many accounts were created from one address; try again after `retryAfter` seconds.
public struct TooManySignUps: Error, Sendable {
    public let retryAfter: Int
    public init(retryAfter: Int) { self.retryAfter = retryAfter }
}
