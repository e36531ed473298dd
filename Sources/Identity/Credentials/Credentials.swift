import Runtime
import Security
import Storage

/// The outcome of checking a username and password. Every failure a person may see reads the
/// same, so neither a form nor the password grant reveals whether a username exists.
public enum PasswordCheck<User: Sendable>: Sendable {
    /// The password is right and the app admitted the user; the throttle was cleared.
    /// `failedAttempts` is how many failed checks of the account (from anywhere) that cleared:
    /// worth telling the owner, who may not have made them.
    case verified(User, failedAttempts: Int)
    /// The password is right but the app refused the user (a disabled account): nothing written.
    case refused(User)
    /// Unknown user or wrong password; the failure was counted.
    case invalidCredentials
    /// Too many recent failures for this account or address (`limit` says which).
    case throttled(retryAfter: Int, limit: SignInThrottle.Limit)
}

/// A failed password check, handed to the app in the transaction that counts it, so its record
/// (the site's audit log) commits with the count or not at all.
public struct SignInFailure: Sendable {
    /// The account's user id; nil when no account has that name (or it has no password).
    public let userID: Int64?
    /// The limit this failure has just reached (a lockout begins), if any.
    public let lockedOut: SignInThrottle.Limit?
    /// Seconds the lockout lasts at most (the throttle's window).
    public let window: Int
    public let now: Int
}

/// Passwords for both apps: the hash policy (scrypt at the configured cost, PBKDF2 accepted and
/// upgraded), the sign-in throttle, and the one sign-in procedure: reserve the check with the
/// throttle, look up, verify on the worker pool, equal time for unknown users, rehash on success.
///
/// Every hash and verification passes a gate of `hashConcurrency` places: scrypt at cost 15
/// takes 32 MiB, so a burst of sign-ups must queue rather than exhaust memory. A caller that
/// cannot get a place within `hashWait` seconds gets `Credentials.Busy` (503, try again).
///
/// The apps own their `users` tables; the identity core relies on each having `id`,
/// `password_hash` and `updated_at` columns.
public struct Credentials: Sendable {
    /// Hashes new passwords and verifies stored ones.
    public let hasher: PasswordHasher
    /// Failures allowed per account and IP.
    public let throttle: SignInThrottle
    let database: any Database
    let clock: Clock
    let gate: AsyncGate
    let hashWait: Double

    /// Too many password hashes are being computed; try again shortly.
    public struct Busy: Error, Sendable, CustomStringConvertible {
        public var description: String { "every password-hashing place is taken" }
    }

    /// Credentials over `database`, hashing with `hasher` (at most `hashConcurrency` at once,
    /// waiting up to `hashWait` seconds for a place), limiting sign-ins with `throttle`.
    public init(database: any Database, hasher: PasswordHasher, throttle: SignInThrottle = SignInThrottle(), clock: Clock = .system,
                hashConcurrency: Int = 4, hashWait: Double = 10) {
        self.database = database
        self.hasher = hasher
        self.throttle = throttle
        self.clock = clock
        gate = AsyncGate(limit: hashConcurrency)
        self.hashWait = hashWait
    }

    /// Memory one hash takes with `hasher`'s parameters (scrypt: 128 · r · N bytes).
    public static func bytesPerHash(_ hasher: PasswordHasher) -> Int { 128 * hasher.blockSize * (1 << hasher.logN) }

    /// Runs a hashing job on the worker pool once the gate lets it in.
    private func hashing<T: Sendable>(_ job: @escaping @Sendable () -> T) async throws -> T {
        do {
            return try await gate.run(timeout: hashWait) { try await blocking(job) }
        } catch is AsyncGate.Timeout {
            throw Busy()
        }
    }

    /// A new hash of `password`, computed on the worker pool (tens of milliseconds, 32 MiB).
    public func hash(_ password: String) async throws -> String {
        let hasher = hasher
        let candidate = String(password.prefix(PasswordPolicy.maximumLength))
        return try await hashing { hasher.hash(candidate) }
    }

    /// Whether `password` matches `stored`, checked on the worker pool.
    public func matches(_ password: String, stored: String) async throws -> Bool {
        let hasher = hasher
        let candidate = String(password.prefix(PasswordPolicy.maximumLength))
        return try await hashing { hasher.verify(candidate, against: stored) } != .invalid
    }

    /// Checks `password` for the account named `username`.
    ///
    /// - `find` reads the user and their stored hash (nil hash: no password, e.g. social-only).
    /// - `admit` may refuse a user whose password is right (disabled accounts).
    /// - `onSuccess` runs in the transaction that clears the account's failures and stores an
    ///   upgraded hash (the site writes its audit row there).
    /// - `onFailure` runs in the transaction that counts a wrong password or unknown user, with
    ///   the lockout it starts, if any (the site writes `sign_in_failed` and
    ///   `sign_in_locked_out` there). Refusals while locked out write nothing: they are the
    ///   lockout working, and recording each would let anyone grow the log at will.
    ///
    /// An unknown user costs the same hashing time as a wrong password.
    public func signIn<User: Sendable>(
        username rawUsername: String, password: String, ip: String,
        id: @escaping @Sendable (User) -> Int64,
        find: @escaping @Sendable (_ username: String, any Connection) throws -> (User, passwordHash: String?)?,
        admit: @Sendable (User) -> Bool = { _ in true },
        onSuccess: @escaping @Sendable (User, _ now: Int, any Connection) throws -> Void = { _, _, _ in },
        onFailure: @escaping @Sendable (SignInFailure, any Connection) throws -> Void = { _, _ in }
    ) async throws -> PasswordCheck<User> {
        // A username, or an email address (the apps look it up by either).
        let trimmed = IdentityRules.trimmed(rawUsername)
        let username = String(trimmed.prefix(trimmed.contains("@") ? IdentityRules.maxEmailLength : IdentityRules.maxUsernameLength + 1))
        let account = IdentityRules.key(username)
        let now = clock.now()
        let throttle = throttle
        let attempt = SignInThrottle.newAttempt()
        // Reserved before anything is hashed: concurrent guesses count before they are checked.
        if let refusal = try await database.write({ db in
            try throttle.reserve(account: account, ip: ip, attempt: attempt, now: now, in: db)
        }) {
            return .throttled(retryAfter: refusal.retryAfter, limit: refusal.limit)
        }
        let found = IdentityRules.namesNobody(username) ? nil : try await database.read { db in try find(username, db) }
        let hasher = hasher
        let candidate = String(password.prefix(PasswordPolicy.maximumLength))
        let verdict: PasswordVerification = try await hashing {
            guard let hash = found?.passwordHash else {
                hasher.verifyDummy(candidate)
                return .invalid
            }
            return hasher.verify(candidate, against: hash)
        }
        // A wrong password leaves its reservation standing as the failure, and counts against the
        // address and the account.
        guard let user = found?.0, verdict != .invalid else {
            let userID = found.map { id($0.0) }
            try await database.write { db in
                let reached = try throttle.failed(attempt: attempt, account: account, ip: ip, now: now, in: db)
                try onFailure(SignInFailure(userID: userID, lockedOut: reached, window: throttle.window, now: now), db)
            }
            return .invalidCredentials
        }
        guard admit(user) else {
            try await database.write { db in try throttle.cancel(attempt: attempt, in: db) }
            return .refused(user)
        }
        let upgraded: String? = verdict == .validButNeedsRehash ? try await hashing { hasher.hash(candidate) } : nil
        let userID = id(user)
        let failedAttempts = try await database.write { db in
            let cleared = try throttle.succeeded(attempt: attempt, account: account, ip: ip, in: db)
            if let upgraded { try Self.store(upgraded, userID: userID, now: now, in: db) }
            try onSuccess(user, now, db)
            return cleared
        }
        return .verified(user, failedAttempts: failedAttempts)
    }

    /// Stores a password hash for a user (sign-up, change, upgrade).
    public static func store(_ hash: String, userID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, userID)
    }

    /// The user's stored hash, if they have a password.
    public static func storedHash(userID: Int64, in db: any Connection) throws -> String? {
        try db.queryOne("SELECT password_hash FROM users WHERE id = ?", userID)?.optionalString("password_hash")
    }
}
