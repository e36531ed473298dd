import Security
import Storage

/// Sign-in rate limits for both apps' password checks (forms and the provider's password grant),
/// kept in the database (`sign_in_failures`) so every instance sees the same counts.
///
/// Three limits, each over a sliding `window`:
/// - **account and address** (`maxFailures`, 5): the limit an attacker at one address meets;
/// - **address** (`maxFailuresPerIP`, higher): one address guessing many accounts, without
///   shutting out everyone behind the same NAT when one colleague mistypes;
/// - **account, from anywhere** (`accountSlowdownAfter`): past it, the account's checks are slowed
///   to one per `slowdownInterval`, never locked, so its owner still gets in with the right
///   password while a distributed guesser gets next to nothing.
///
/// A check is *reserved* against the account-and-address limit before its password is hashed:
/// the counting and the reservation happen in one transaction (serialized per account and per
/// address on PostgreSQL by advisory locks, by the single writer on SQLite), so a hundred
/// concurrent guesses cannot all get through. A failed check then counts against the address and
/// the account too; a successful one deletes its reservation and forgets the account's failures.
public struct SignInThrottle: Sendable {
    /// Failures allowed per account and address within `window`.
    public var maxFailures: Int
    /// The window, in seconds, over which failures are counted.
    public var window: Int
    /// Failures allowed per address across all accounts within `window`.
    public var maxFailuresPerIP: Int
    /// Failures per account across all addresses after which its checks are slowed down.
    public var accountSlowdownAfter: Int

    /// Limits of `maxFailures` per `window` seconds (5 in 15 minutes by default); the address
    /// limit defaults to ten times that, the account slowdown to four times.
    public init(maxFailures: Int = 5, window: Int = 15 * 60, maxFailuresPerIP: Int? = nil, accountSlowdownAfter: Int? = nil) {
        self.maxFailures = maxFailures
        self.window = window
        self.maxFailuresPerIP = maxFailuresPerIP ?? maxFailures * 10
        self.accountSlowdownAfter = accountSlowdownAfter ?? maxFailures * 4
    }

    /// Seconds between checks of a slowed-down account: the slowdown threshold spread over the window.
    public var slowdownInterval: Int { max(1, window / max(1, accountSlowdownAfter)) }

    /// Why a check was refused.
    public enum Limit: String, Sendable {
        case accountAndAddress = "account_and_address", address, account
    }

    /// Reserves one password check for `account` from `ip`: records it as a failure tagged with
    /// `attempt` (undone by `succeeded`), or returns how long to wait and which limit holds.
    public func reserve(account: String, ip: String, attempt: String, now: Int,
                        in db: any Connection) throws -> (retryAfter: Int, limit: Limit)? {
        if db.dialect == .postgres {
            // Always the account first, then the address: no two checks wait on each other crosswise.
            _ = try db.query("SELECT pg_advisory_xact_lock(hashtext(?)), pg_advisory_xact_lock(hashtext(?))",
                             "latchkey.sign_in.account:" + account, "latchkey.sign_in.ip:" + ip)
        }
        let pair = account + " " + ip
        var refusal: (Int, Limit)?
        func consider(_ wait: Int?, _ limit: Limit) {
            if let wait, wait > (refusal?.0 ?? 0) { refusal = (max(1, wait), limit) }
        }
        consider(try oldestWait("pair", pair, limit: maxFailures, now: now, in: db), .accountAndAddress)
        consider(try oldestWait("ip", ip, limit: maxFailuresPerIP, now: now, in: db), .address)
        let recent = try db.query("SELECT created_at FROM sign_in_failures WHERE scope = 'account' AND subject = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                                  account, now - window, accountSlowdownAfter)
        if recent.count >= accountSlowdownAfter, let newest = try recent.first?.int("created_at"), now - newest < slowdownInterval {
            consider(newest + slowdownInterval - now, .account)
        }
        if let refusal { return (refusal.0, refusal.1) }
        // Only the account-and-address count is reserved ahead: it is the one a burst from one
        // place must not overshoot. Reserving the address and account counts too would make
        // checks in flight (right passwords among them) refuse each other.
        try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at, attempt) VALUES ('pair', ?, ?, ?)", pair, now, attempt)
        return nil
    }

    /// The check `attempt` failed: its reservation stands as the account-and-address failure,
    /// and the address and the account each count one more. Returns the limit this failure has
    /// just reached, if any: the moment a lockout (or the account's slowdown) begins, which the
    /// apps record once, rather than every refused attempt after it (which an attacker could
    /// make at will).
    @discardableResult
    public func failed(attempt: String, account: String, ip: String, now: Int, in db: any Connection) throws -> Limit? {
        if db.dialect == .postgres {
            // The locks `reserve` takes, in its order: failures of one account (and of one
            // address) are counted one at a time, so exactly one of them meets each limit
            // (SQLite's single writer does the same).
            _ = try db.query("SELECT pg_advisory_xact_lock(hashtext(?)), pg_advisory_xact_lock(hashtext(?))",
                             "latchkey.sign_in.account:" + account, "latchkey.sign_in.ip:" + ip)
        }
        try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at, attempt) VALUES ('ip', ?, ?, ?)", ip, now, attempt)
        try db.execute("INSERT INTO sign_in_failures (scope, subject, created_at, attempt) VALUES ('account', ?, ?, ?)", account, now, attempt)
        // Finished failures only: 'account' and 'ip' rows are written here, never ahead, while
        // 'pair' rows include checks still in flight (a burst reserves them all before any
        // fails). A pair's failures are its account's rows whose attempt has its address's row.
        let since = now - window
        let pair = try db.queryOne("""
            SELECT COUNT(*) FROM sign_in_failures a JOIN sign_in_failures i ON i.attempt = a.attempt AND i.scope = 'ip' AND i.subject = ?
            WHERE a.scope = 'account' AND a.subject = ? AND a.created_at > ?
            """, ip, account, since)?.int(0) ?? 0
        if pair == maxFailures { return .accountAndAddress }
        func count(_ scope: String, _ subject: String) throws -> Int {
            try db.queryOne("SELECT COUNT(*) FROM sign_in_failures WHERE scope = ? AND subject = ? AND created_at > ?",
                            scope, subject, since)?.int(0) ?? 0
        }
        if try count("account", account) == accountSlowdownAfter { return .account }
        if try count("ip", ip) == maxFailuresPerIP { return .address }
        return nil
    }

    /// Failed checks of `accounts` (username and email keys), from anywhere, still inside the
    /// window: what an administrator reads before unlocking.
    public func recentFailures(accounts: [String], now: Int, in db: any Connection) throws -> Int {
        var total = 0
        for account in Set(accounts) where !account.isEmpty {
            total += try db.queryOne("SELECT COUNT(*) FROM sign_in_failures WHERE scope = 'account' AND subject = ? AND created_at > ?",
                                     account, now - window)?.int(0) ?? 0
        }
        return total
    }

    /// Forgets the failures of `accounts` (username and email keys), from every address, so the
    /// owner can try again at once (an administrator's unlock). The address counts stay: they
    /// hold back whoever was guessing. Returns how many failures were forgotten.
    @discardableResult
    public func unlock(accounts: [String], in db: any Connection) throws -> Int {
        var forgotten = 0
        for account in Set(accounts) where !account.isEmpty {
            forgotten += try db.execute("DELETE FROM sign_in_failures WHERE scope = 'account' AND subject = ?", account)
            // Pair subjects are "<account> <address>"; compared by prefix, so no LIKE pattern
            // (and none of its wildcards) is built from a username.
            forgotten += try db.execute("DELETE FROM sign_in_failures WHERE scope = 'pair' AND substr(subject, 1, ?) = ?",
                                        account.count + 1, account + " ")
        }
        return forgotten
    }

    /// The check `attempt` succeeded: its reservation goes, and so do the account's failures (the
    /// address's stay counted). Returns how many failed checks of the account were forgotten.
    @discardableResult
    public func succeeded(attempt: String, account: String, ip: String, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM sign_in_failures WHERE attempt = ?", attempt)
        let failures = try db.execute("DELETE FROM sign_in_failures WHERE scope = 'account' AND subject = ?", account)
        try db.execute("DELETE FROM sign_in_failures WHERE scope = 'pair' AND subject = ?", account + " " + ip)
        return failures
    }

    /// Withdraws the reservation of `attempt` (the password was right, but the app refused the
    /// person, e.g. a disabled account): it counts as nothing.
    public func cancel(attempt: String, in db: any Connection) throws {
        try db.execute("DELETE FROM sign_in_failures WHERE attempt = ?", attempt)
    }

    /// Deletes failures older than any window could count (housekeeping).
    @discardableResult
    public func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM sign_in_failures WHERE created_at <= ?", now - window)
    }

    /// A fresh attempt id.
    public static func newAttempt() -> String { SecureRandom.token(byteCount: 16) }

    /// Seconds until the oldest of the last `limit` failures of `subject` leaves the window, when
    /// there are that many; nil when another is allowed now.
    private func oldestWait(_ scope: String, _ subject: String, limit: Int, now: Int, in db: any Connection) throws -> Int? {
        let rows = try db.query("SELECT created_at FROM sign_in_failures WHERE scope = ? AND subject = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
                                scope, subject, now - window, limit)
        guard rows.count >= limit, let oldest = try rows.last?.int("created_at") else { return nil }
        return oldest + window - now
    }
}
