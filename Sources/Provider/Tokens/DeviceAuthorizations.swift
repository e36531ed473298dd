import Identity
import Storage

/// The device authorization grant (RFC 8628): starting one for a client, finding it by the
/// user code a person types, recording their decision, and the device's polls (which mint
/// tokens once, after approval). Codes are stored only as SHA-256.
public struct DeviceAuthorizations: Sendable {
    let database: any Database
    let clock: Clock
    let tokens: TokenService

    /// How long the codes live (§3.2 `expires_in`): ten minutes to find a browser and sign in.
    public static let lifetime = 600
    /// The polling interval a device starts with (§3.2: 5 seconds when none is given).
    public static let interval = 5
    /// What each `slow_down` adds to the interval (§3.5).
    public static let slowDownStep = 5
    /// Wrong user codes allowed per account and per address per 15 minutes on `/device`: a user
    /// code has about 34 bits, so guessing must stay slow.
    public static let entryLimit = RateLimit("device_user_code", limit: 10, window: 900)
    public static let entryLimitPerAddress = RateLimit("device_user_code_ip", limit: 30, window: 900)

    /// A started device authorization, as the device is told it.
    public struct Started: Sendable {
        public let deviceCode: String
        /// `WDJB-MJHT`: eight letters of an alphabet without vowels or look-alikes.
        public let userCode: String
        public let scope: ScopeSet
    }

    /// A pending request, as the person approving it sees it.
    public struct Pending: Sendable {
        public let client: Client
        public let scope: ScopeSet
        /// The hash the decision form carries back (never the code itself).
        let userCodeHash: String
    }

    /// Starts a device authorization for `client` (which may use the grant) and `scope`.
    public func start(client: Client, scope: ScopeSet) async throws -> Started {
        let deviceCode = TokenHash.newToken(), now = clock.now()
        for _ in 0..<5 {
            let userCode = OneTimeCodes.generate()
            let inserted = try await database.write { db in
                // A user code must name one live request; a clash (one in 2.5e10 per live code) draws again.
                guard try db.queryOne("SELECT 1 FROM device_authorizations WHERE user_code_hash = ?", OneTimeCodes.digest(userCode)) == nil else {
                    return false
                }
                _ = try db.execute("""
                    INSERT INTO device_authorizations (device_code_hash, user_code_hash, client_id, scope, interval_seconds, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, TokenHash.of(deviceCode), OneTimeCodes.digest(userCode), client.clientID, scope.description, Self.interval,
                    now, now + Self.lifetime)
                return true
            }
            if inserted { return Started(deviceCode: deviceCode, userCode: userCode, scope: scope) }
        }
        throw DatabaseError.sql(code: 0, message: "could not draw a free user code")
    }

    /// The pending, unexpired request that `typed` names (any case, dashes or spaces), if any.
    public func pending(userCode typed: String) async throws -> Pending? {
        try await pending(hash: OneTimeCodes.digest(typed))
    }

    func pending(hash: String) async throws -> Pending? {
        let now = clock.now()
        return try await database.read { db in
            guard let row = try db.queryOne("""
                SELECT client_id, scope FROM device_authorizations WHERE user_code_hash = ? AND status = 'pending' AND expires_at > ?
                """, hash, now), let client = try ClientRepository.find(clientID: try row.string("client_id"), in: db) else { return nil }
            return Pending(client: client, scope: ScopeSet(trusted: try row.string("scope")), userCodeHash: hash)
        }
    }

    /// Records the person's decision on the pending request `hash`; false when it is no longer
    /// pending (decided in another tab, or expired).
    func decide(hash: String, approve: Bool, userID: Int64, authTime: Int, methods: [String]) async throws -> Bool {
        let now = clock.now()
        return try await database.write { db in
            try db.execute("""
                UPDATE device_authorizations SET status = ?, user_id = ?, auth_time = ?, amr = ?
                WHERE user_code_hash = ? AND status = 'pending' AND expires_at > ?
                """, approve ? "approved" : "denied", userID, authTime, methods.joined(separator: " "), hash, now) == 1
        }
    }

    /// A device's poll (§3.4): tokens once approved, else why not. A poll sooner than the
    /// interval after the previous one is `slow_down` and lengthens the interval; of several
    /// simultaneous polls one is answered and the rest slowed (a conditional UPDATE decides).
    /// The poll may name `resources` (RFC 8707) and carry a DPoP proof's key (RFC 9449), as the
    /// password grant does: the device authorization request itself names neither.
    public func poll(_ deviceCode: String, client: Client, resources asked: [String] = [],
                     dpopKey: String? = nil) async throws -> IssuedTokens {
        guard TokenHash.isPlausible(deviceCode) else { throw GrantError.deviceCodeUnknown }
        let audience = try TokenService.target(asked, within: [], known: tokens.resources).get()
        let hash = TokenHash.of(deviceCode), now = clock.now(), lifetimes = tokens.lifetimes
        let outcome: TokenService.Outcome = try await database.write { db in
            guard let row = try db.queryOne("""
                SELECT client_id, scope, status, user_id, auth_time, amr, interval_seconds, expires_at
                FROM device_authorizations WHERE device_code_hash = ?
                """, hash) else { return .refused(.deviceCodeUnknown) }
            guard try row.string("client_id") == client.clientID else { return .refused(.deviceCodeIssuedToAnotherClient) }
            guard now < (try row.int("expires_at")) else { return .refused(.deviceCodeExpired) }
            let interval = try row.int("interval_seconds")
            guard try db.execute("""
                UPDATE device_authorizations SET last_polled_at = ?
                WHERE device_code_hash = ? AND (last_polled_at IS NULL OR last_polled_at <= ?)
                """, now, hash, now - interval) == 1 else {
                _ = try db.execute("UPDATE device_authorizations SET interval_seconds = interval_seconds + ? WHERE device_code_hash = ?",
                                   Self.slowDownStep, hash)
                return .refused(.slowDown(interval: interval + Self.slowDownStep))
            }
            switch try row.string("status") {
            case "pending": return .refused(.authorizationPending)
            case "denied": return .refused(.deviceDenied)
            case "approved": break
            default: return .refused(.deviceCodeUsed)
            }
            guard try db.execute("UPDATE device_authorizations SET status = 'used' WHERE device_code_hash = ? AND status = 'approved'", hash) == 1,
                  let userID = try row.optionalInt64("user_id"), let user = try UserRepository.find(id: userID, in: db) else {
                return .refused(.deviceCodeUsed)
            }
            let methods = (try row.optionalString("amr") ?? "pwd").split(separator: " ").map(String.init)
            let authTime = try row.optionalInt("auth_time") ?? now
            let minted = try TokenService.mint(in: db, client: client, userID: user.id, scope: ScopeSet(trusted: try row.string("scope")),
                                               familyID: TokenHash.newFamilyID(at: now), rotatedFrom: nil, authTime: authTime, methods: methods,
                                               resources: audience, audience: audience, dpopKey: dpopKey,
                                               refreshDPoPKey: client.isConfidential ? nil : dpopKey, now: now, lifetimes: lifetimes)
            return .issued(minted, user: user, nonce: nil, authTime: authTime, methods: methods)
        }
        return try tokens.finish(outcome, client: client, now: now)
    }

    /// Removes requests that expired before `cutoff`: past expiry they are refused anyway.
    static func purge(before cutoff: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM device_authorizations WHERE expires_at < ?", cutoff)
    }
}
