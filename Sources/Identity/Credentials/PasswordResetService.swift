import Localization
import Storage

/// "Forgot your password?" for both apps, over `PasswordResets`. Asking mails a link (the asker
/// hears the same whether or not an account matched; limited per address and per account);
/// the link sets a new password in one transaction that uses it up, stores the hash, ends every
/// session of the user, lets the app revoke what else it issued, and queues a notice to the
/// owner. The app says how to find its users, what else to revoke and what to write in mail.
public struct PasswordResetService<User: AccountHolder>: Sendable {
    /// Reads a user by id, in the given transaction.
    public typealias Find = @Sendable (_ id: Int64, any Connection) throws -> User?
    /// Reads the user a request names (a username or an address), if they may have a link.
    public typealias Lookup = @Sendable (_ identifier: String, any Connection) throws -> User?
    /// Work the app adds to a transaction of the flow (an audit row, revoking its own tokens).
    public typealias Step = @Sendable (User, _ now: Int, any Connection) throws -> Void

    let database: any Database
    let credentials: Credentials
    let clock: Clock
    let outbox: Outbox?
    let find: Find
    let lookup: Lookup

    /// A reset flow over `database`, hashing through `credentials`, mailing through `outbox` (nil:
    /// mail is off, and no link is ever sent).
    public init(database: any Database, credentials: Credentials, clock: Clock, outbox: Outbox?, find: @escaping Find,
                lookup: @escaping Lookup) {
        self.database = database
        self.credentials = credentials
        self.clock = clock
        self.outbox = outbox
        self.find = find
        self.lookup = lookup
    }

    /// Whether links can be sent at all (mail is on).
    public var isAvailable: Bool { outbox != nil }

    /// Mails a link to the account `identifier` names, if there is one with an address and it
    /// has not been asked for too often; returns nothing either way, so the caller shows the
    /// same page whatever happened. Throws `TooManyResetRequests` when this address asks too
    /// often. `message(user, token)` writes the mail; `requested` runs in the same transaction.
    public func request(identifier rawIdentifier: String, ip: String, message: @escaping @Sendable (User, _ token: String) -> MailMessage,
                        requested: @escaping Step = { _, _, _ in }) async throws {
        guard let outbox else { return }
        // An address is at most 254 characters, a username far less: anything longer names nobody.
        let identifier = String(IdentityRules.trimmed(rawIdentifier).prefix(IdentityRules.maxEmailLength))
        let now = clock.now(), lookup = lookup
        try await database.write { db in
            if let wait = try PasswordResets.limitPerAddress.hit(ip, now: now, in: db) { throw TooManyResetRequests(retryAfter: wait) }
            guard !IdentityRules.namesNobody(identifier), let user = try lookup(identifier, db), user.emailAddress != nil,
                  try PasswordResets.limitPerAccount.hit(String(user.id), now: now, in: db) == nil else { return }
            try PasswordResets.mail(to: user, via: outbox, now: now, in: db, message: message)
            try requested(user, now, db)
        }
    }

    /// The account a live link belongs to, to show its form; nil when the link is dead.
    public func holder(of token: String) async throws -> User? {
        let now = clock.now(), find = find
        return try await database.read { db in try PasswordResets.holder(of: token, now: now, in: db).flatMap { try find($0, db) } }
    }

    /// Sets a new password through a live link: the link (and every other of the user's) is used
    /// up, every session ends, `revoke` withdraws what else the app issued (API tokens, OAuth
    /// tokens), an unverified address counts as proven (the link was mailed there), and the
    /// owner is told (`notice`). Throws `FieldErrors` for a refused password;
    /// nil when the link is not live.
    public func reset(token: String, new: String, confirmation: String, revoke: @escaping Step,
                      notice: @escaping @Sendable (User) -> MailMessage) async throws -> User? {
        guard let holder = try await holder(of: token) else { return nil }
        var errors = FieldErrors()
        if let problem = PasswordPolicy.problem(with: new, username: holder.username) { errors["new_password"] = problem }
        if new != confirmation { errors["new_password_confirmation"] = Message("The two passwords do not match.") }
        guard errors.isEmpty else { throw errors }
        let hash = try await credentials.hash(new)
        let now = clock.now(), find = find, outbox = outbox
        return try await database.write { db -> User? in
            // Redeemed here, in the transaction that changes the password: a link used twice at
            // once works once.
            guard let userID = try PasswordResets.redeem(token, now: now, in: db), let user = try find(userID, db) else { return nil }
            try Credentials.replace(hash, userID: userID, keepingSession: nil, now: now, in: db)
            try revoke(user, now, db)
            // The link went to the account's address and came back: that proves the address.
            if let email = user.emailAddress, !user.emailVerified {
                _ = try EmailVerification.markVerified(userID: userID, email: email, now: now, in: db)
            }
            try outbox?.notify(user, kind: "password_changed", now: now, in: db, notice)
            return user
        }
    }
}

extension Credentials {
    /// What every password change does in the caller's transaction, however it was made (a
    /// reset link, the account page): the hash is stored, which voids every reset link made
    /// before it, and every session of the user but `keepingSession` ends; how many ended.
    @discardableResult
    public static func replace(_ hash: String, userID: Int64, keepingSession: String?, now: Int, in db: any Connection) throws -> Int {
        try store(hash, userID: userID, now: now, in: db)
        return try SessionRepository.endAll(userID: userID, keeping: keepingSession, in: db)
    }
}

extension Outbox {
    /// Queues `message(user)` for `user`, in `db`'s transaction, when they have an address.
    public func notify<User: AccountHolder>(_ user: User, kind: String, now: Int, in db: any Connection,
                                            _ message: (User) -> MailMessage) throws {
        guard user.emailAddress != nil else { return }
        try enqueue(message(user), kind: kind, userID: user.id, now: now, in: db)
    }
}
