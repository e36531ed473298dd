import Security
import Storage

/// Why a delivery attempt failed; `permanent` when retrying the same message cannot help.
public struct DeliveryFailure: Error, Sendable {
    public var reason: String
    public var permanent: Bool

    /// A failure.
    public init(_ reason: String, permanent: Bool = false) {
        self.reason = reason
        self.permanent = permanent
    }
}

/// What became of a message, as the admin user page shows it.
public struct OutboxEntry: Sendable, Equatable {
    public let messageID: String
    public let kind: String
    public let recipient: String
    public let status: Status
    public let attempts: Int
    public let lastError: String?
    public let createdAt: Int
    public let sentAt: Int?

    /// `pending` (waiting or retrying), `sent`, or `failed` (given up).
    public enum Status: String, Sendable { case pending, sent, failed }
}

/// Outbound mail that loses nothing: `enqueue` writes the message (encrypted with the key ring)
/// inside the caller's transaction, so it exists exactly when the event that caused it
/// committed; `deliverDue` sends what is due, retrying with backoff for up to a day, and records
/// the outcome. A crash between the commit and the send only delays the message to the next
/// sweep after restart. Claims are leases on the row, so two instances never both send one.
public struct Outbox: Sendable {
    static let purpose = "outbox"
    /// How long a claimed message is left to its sender before another may try it.
    static let lease = 300
    /// After this long, a message that still failed is given up.
    public static let retryFor = 86_400

    let keys: KeyRing
    /// The `From` of every message.
    public let from: MailAddress
    let clock: Clock

    /// An outbox sealing with `keys`, sending as `from`.
    public init(keys: KeyRing, from: MailAddress, clock: Clock = .system) {
        self.keys = keys
        self.from = from
        self.clock = clock
    }

    /// Writes `message` for delivery, in `db`'s transaction; returns its Message-ID.
    @discardableResult
    public func enqueue(_ message: MailMessage, kind: String, userID: Int64?, now: Int, in db: any Connection) throws -> String {
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "latchkey.invalid"
        let messageID = "\(Hex.encode(SecureRandom.bytes(16)))@\(domain)"
        let data = message.rendered(from: from, messageID: messageID, date: now)
        let sealed = keys.seal(data, purpose: Self.purpose, associatedData: Array(messageID.utf8))
        try db.execute("""
            INSERT INTO outbox (message_id, user_id, kind, recipient, sender, data_enc, created_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, messageID, userID, kind, message.to.address, from.address, sealed, now, now)
        return messageID
    }

    /// Sends every message due now through `send`; returns how many were sent.
    @discardableResult
    public func deliverDue(database: any Database, limit: Int = 20,
                           send: @Sendable (_ from: String, _ to: [String], _ data: [UInt8]) async throws -> Void) async throws -> Int {
        let now = clock.now()
        let due = try await database.read { db in
            try db.query("SELECT message_id, next_attempt_at FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                         now, limit).map { (try $0.string("message_id"), try $0.int("next_attempt_at")) }
        }
        var sent = 0
        for (messageID, dueAt) in due {
            // The lease: only the instance whose update changed the row sends it.
            let claimed = try await database.write { db -> (recipient: String, sender: String, sealed: String, createdAt: Int, attempts: Int)? in
                guard try db.execute("UPDATE outbox SET next_attempt_at = ? WHERE message_id = ? AND status = 'pending' AND next_attempt_at = ?",
                                     now + Self.lease, messageID, dueAt) == 1,
                      let row = try db.queryOne("SELECT recipient, sender, data_enc, created_at, attempts FROM outbox WHERE message_id = ?", messageID)
                else { return nil }
                return (try row.string("recipient"), try row.string("sender"), try row.string("data_enc"), try row.int("created_at"),
                        try row.int("attempts"))
            }
            guard let claimed else { continue }
            var failure: DeliveryFailure?
            do {
                let data = try keys.open(claimed.sealed, purpose: Self.purpose, associatedData: Array(messageID.utf8))
                try await send(claimed.sender, [claimed.recipient], data)
            } catch let error as DeliveryFailure {
                failure = error
            } catch let error as CryptoError {
                failure = DeliveryFailure("the message cannot be opened (\(error)); a secret key was rotated away", permanent: true)
            } catch {
                failure = DeliveryFailure("\(error)")
            }
            let attempts = claimed.attempts + 1, finished = clock.now()
            try await database.write { [failure] db in
                if let failure {
                    let giveUp = failure.permanent || finished - claimed.createdAt >= Self.retryFor
                    try db.execute("UPDATE outbox SET attempts = ?, last_error = ?, status = ?, next_attempt_at = ? WHERE message_id = ?",
                                   attempts, String(failure.reason.prefix(500)), giveUp ? "failed" : "pending",
                                   finished + Self.backoff(afterAttempts: attempts), messageID)
                    // A message given up keeps no secret either.
                    if giveUp { try db.execute("UPDATE outbox SET data_enc = '' WHERE message_id = ?", messageID) }
                } else {
                    try db.execute("UPDATE outbox SET attempts = ?, status = 'sent', sent_at = ?, last_error = NULL, data_enc = '' WHERE message_id = ?",
                                   attempts, finished, messageID)
                }
            }
            if failure == nil { sent += 1 }
        }
        return sent
    }

    /// Seconds before the next try: 30 s, doubling, at most an hour.
    static func backoff(afterAttempts attempts: Int) -> Int { min(3600, 30 << min(attempts - 1, 7)) }

    /// Sends due messages every `interval` seconds until cancelled; failures are reported, never fatal.
    public func run(database: any Database, every interval: Double, report: @escaping @Sendable (String) -> Void,
                    send: @escaping @Sendable (_ from: String, _ to: [String], _ data: [UInt8]) async throws -> Void) async {
        while !Task.isCancelled {
            do {
                _ = try await deliverDue(database: database, send: send)
            } catch {
                report("outbox_failed error=\"\(error)\"")
            }
            do { try await Task.sleep(nanoseconds: UInt64(interval * 1e9)) } catch { return }
        }
    }

    /// The latest messages concerning `userID`, newest first.
    public static func recent(userID: Int64, limit: Int = 20, in db: any Connection) throws -> [OutboxEntry] {
        try db.query("""
            SELECT message_id, kind, recipient, status, attempts, last_error, created_at, sent_at FROM outbox
            WHERE user_id = ? ORDER BY created_at DESC LIMIT ?
            """, userID, limit).map { row in
            OutboxEntry(messageID: try row.string("message_id"), kind: try row.string("kind"), recipient: try row.string("recipient"),
                        status: OutboxEntry.Status(rawValue: try row.string("status")) ?? .pending, attempts: try row.int("attempts"),
                        lastError: try row.optionalString("last_error"), createdAt: try row.int("created_at"), sentAt: try row.optionalInt("sent_at"))
        }
    }

    /// Deletes delivered and given-up messages older than thirty days (housekeeping).
    @discardableResult
    public static func purge(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM outbox WHERE status <> 'pending' AND created_at < ?", now - 30 * 86_400)
    }
}
