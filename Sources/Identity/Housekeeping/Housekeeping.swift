import Storage

/// The one job per process that deletes what has expired: sessions and sign-in failures in both
/// apps, plus whatever each app adds (OAuth states, codes, tokens). Each chore runs in its own
/// short transaction. With PostgreSQL and several instances on one database, only one instance
/// sweeps at a time: each transaction first takes a transaction-scoped advisory lock and skips
/// the sweep if another instance holds it. (SQLite's write transactions already serialize.)
public struct Housekeeping: Sendable {
    /// One kind of expired row and how to delete it; returns how many went.
    public struct Chore: Sendable {
        public let name: String
        public let sweep: @Sendable (_ now: Int, any Connection) throws -> Int

        /// A chore called `name`.
        public init(_ name: String, sweep: @escaping @Sendable (_ now: Int, any Connection) throws -> Int) {
            self.name = name
            self.sweep = sweep
        }
    }

    /// What one sweep did.
    public enum Outcome: Sendable, Equatable {
        /// Rows deleted, by chore.
        case swept([String: Int])
        /// Another instance was sweeping; nothing was done.
        case skipped
    }

    let database: any Database
    let clock: Clock
    /// The chores, in order.
    public let chores: [Chore]

    /// Housekeeping over `database` with the identity core's chores followed by `extra`.
    public init(database: any Database, clock: Clock = .system, throttle: SignInThrottle, extra: [Chore] = []) {
        self.database = database
        self.clock = clock
        chores = [
            Chore("sessions") { now, db in try SessionRepository.purgeExpired(now: now, in: db) },
            Chore("sign_in_failures") { now, db in try throttle.purge(now: now, in: db) },
            Chore("rate_events") { now, db in try RateLimit.purge(now: now, in: db) },
            Chore("outbox") { now, db in try Outbox.purge(now: now, in: db) },
            Chore("password_resets") { now, db in try PasswordResets.purge(now: now, in: db) },
            Chore("email_verifications") { now, db in try EmailVerification.purge(now: now, in: db) },
            Chore("sign_in_codes") { now, db in try SignInCodes.purge(now: now, in: db) },
            Chore("webauthn_challenges") { now, db in try WebAuthnChallenges.purge(now: now, in: db) },
        ] + extra
    }

    /// Runs every chore once.
    @discardableResult
    public func sweep() async throws -> Outcome {
        let now = clock.now()
        var counts: [String: Int] = [:]
        for chore in chores {
            let deleted: Int? = try await database.write { db in
                guard try Self.lock(db) else { return nil }
                return try chore.sweep(now, db)
            }
            guard let deleted else { return .skipped }
            counts[chore.name] = deleted
        }
        return .swept(counts)
    }

    /// Sweeps now and then every `interval` seconds until the task is cancelled. A failed sweep
    /// (the database is down) is reported and tried again next time; it never ends the loop.
    public func run(every interval: Int, report: @escaping @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            do {
                switch try await sweep() {
                case .swept(let counts):
                    let deleted = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }
                    if !deleted.isEmpty { report("housekeeping " + deleted.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
                case .skipped:
                    break
                }
            } catch {
                report("housekeeping_failed error=\"\(error)\"")
            }
            do {
                try await Task.sleep(nanoseconds: UInt64(max(1, interval)) * 1_000_000_000)
            } catch {
                return
            }
        }
    }

    /// Takes the sweep lock for this transaction; false when another instance has it. The key
    /// is derived from the schema, so apps (and test schemas) sharing a server do not contend.
    static func lock(_ db: any Connection) throws -> Bool {
        guard db.dialect == .postgres else { return true }
        return try db.queryOne("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.latchkey_housekeeping')) AS locked")?
            .bool("locked") ?? false
    }
}
