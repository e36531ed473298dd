import Foundation
import Identity
import IdentityWeb
import Runtime
import Security
import Storage
import Synchronization

/// The RS256 keys that sign id_tokens (and the provider's other JWTs). The first start generates
/// one; each is kept in the provider's database as PKCS#8 PEM sealed with the key ring
/// (AES-256-GCM under the secret key), so a copy of the database alone cannot forge tokens.
///
/// Rotation (`latchkey provider keys rotate`) moves a key through four phases, decided by the
/// clock against times stored with it, so every instance agrees without talking to the others:
///
/// - **next**: published in the JWK Set, not signing yet (until `activates_at`, the rotation
///   time plus `PROVIDER_KEY_ROTATION_GRACE`), so clients that cache the set learn it first;
/// - **active**: signs (of several, the oldest, so instances that raced at first start agree);
/// - **retiring**: stopped signing (`signs_until`, its successor's `activates_at`) but still
///   published until every token it signed has expired (`published_until`);
/// - **retired**: out of the JWK Set; tokens it signed no longer verify here; housekeeping
///   deletes the row.
///
/// Instances started before a rotation learn of it by reading the rows again: at every JWK Set
/// request and, lazily, once a minute. An instance that has not yet read a new key keeps signing
/// with the old one, which `published_until` keeps published long enough for that (`margin`).
public final class SigningKeys: Sendable {
    /// One stored key with its phase times.
    struct Entry: Sendable {
        let kid: String
        let key: RSAPrivateKey
        let createdAt: Int
        let activatesAt: Int
        let signsUntil: Int?
        let publishedUntil: Int?

        func phase(at now: Int) -> Phase {
            if let publishedUntil, now >= publishedUntil { return .retired }
            if now < activatesAt { return .next }
            if let signsUntil, now >= signsUntil { return .retiring }
            return .active
        }
    }

    /// Where a key is in its life.
    public enum Phase: String, Sendable {
        case next, active, retiring, retired
    }

    /// A key as `keys list` shows it.
    public struct Listing: Sendable {
        public let kid: String
        public let phase: Phase
        public let createdAt: Int
        public let activatesAt: Int
        public let signsUntil: Int?
        public let publishedUntil: Int?
    }

    /// What a rotation did.
    public struct Rotation: Sendable {
        /// The new key, published now.
        public let kid: String
        /// When it starts signing.
        public let activatesAt: Int
        /// The keys it replaces, and when they leave the JWK Set.
        public let replaced: [(kid: String, publishedUntil: Int)]
    }

    /// Why the keys could not be loaded or rotated.
    public enum LoadError: Error, CustomStringConvertible {
        /// A stored key does not open under the configured secret: `SECRET_KEY` changed
        /// without the old one in the fallbacks, or the row was tampered with.
        case cannotOpen(kid: String)
        case generationFailed
        /// A rotation is under way: its key has not started signing yet (or another rotation
        /// running at the same moment won).
        case rotationPending(kid: String?, activatesAt: Int?)

        public var description: String {
            switch self {
            case .cannotOpen(let kid):
                "the id_token signing key \(kid) cannot be decrypted with the configured secret key "
                    + "(was PROVIDER_SECRET_KEY/SECRET_KEY changed? put the old one in PROVIDER_SECRET_KEY_FALLBACKS)"
            case .generationFailed:
                "could not generate an RSA signing key"
            case .rotationPending(let kid, let at):
                "a rotation is already under way" + (kid.map { ": key \($0) starts signing at \(Clock.format(at ?? 0))" } ?? "")
                    + "; rotate again once it signs"
            }
        }
    }

    static let purpose = "provider.signing-key"
    /// How often an instance reads the rows again on its own, in seconds.
    static let refreshInterval = 60
    /// Extra seconds a stopped key stays published beyond the longest token lifetime: covers an
    /// instance that signs with it until its next read of the rows, and clock skew.
    static let margin = 300

    private let database: any Database
    private let keyRing: KeyRing
    private let clock: Clock
    private let state: Mutex<(entries: [Entry], loadedAt: Int, refreshing: Bool)>

    private init(database: any Database, keyRing: KeyRing, clock: Clock, entries: [Entry]) {
        self.database = database
        self.keyRing = keyRing
        self.clock = clock
        state = Mutex((entries, clock.now(), false))
    }

    /// Loads the stored keys, generating and storing one when there are none.
    static func load(database: any Database, keys: KeyRing, clock: Clock) async throws -> SigningKeys {
        if try await stored(database).isEmpty {
            let key = try await generate()
            let kid = key.publicKey.thumbprint, now = clock.now()
            let sealed = keys.seal(key.pem, purpose: purpose, associatedData: Array(kid.utf8))
            _ = try await database.write { db in
                try db.execute("INSERT INTO signing_keys (kid, private_key_enc, created_at, activates_at) VALUES (?, ?, ?, ?)",
                               kid, sealed, now, now)
            }
        }
        let keys = SigningKeys(database: database, keyRing: keys, clock: clock, entries: [])
        try await keys.refresh()
        return keys
    }

    // MARK: What signs and what is published

    /// The key that signs now.
    public var active: RSAPrivateKey { signer.key }
    /// The signing key's `kid` (the RFC 7638 thumbprint).
    public var activeKeyID: String { signer.kid }

    /// What `/.well-known/jwks.json` serves: every key but the retired ones, next keys included.
    public var published: JWKSet {
        let now = clock.now()
        return JWKSet(keys: current().filter { $0.phase(at: now) != .retired }.map { $0.key.publicKey.jwk(kid: $0.kid) })
    }

    private var signer: Entry {
        let now = clock.now(), entries = current()
        return entries.first { $0.phase(at: now) == .active }
            // Cannot happen (a key stops signing only when its successor starts), but never sign with nothing.
            ?? entries.last { $0.phase(at: now) != .next } ?? entries[0]
    }

    /// The entries, oldest first; starts a background read when they are over a minute old.
    private func current() -> [Entry] {
        let now = clock.now()
        let (entries, stale) = state.withLock { state in
            let stale = now - state.loadedAt >= Self.refreshInterval && !state.refreshing
            if stale { state.refreshing = true }
            return (state.entries, stale)
        }
        if stale { Task { try? await self.refresh() } }
        return entries
    }

    /// Reads the rows again (a rotation by another process, a retired key deleted).
    public func refresh() async throws {
        let rows = try await Self.stored(database)
        let known = state.withLock { Dictionary($0.entries.map { ($0.kid, $0.key) }, uniquingKeysWith: { a, _ in a }) }
        var entries: [Entry] = []
        for row in rows {
            let kid = try row.string("kid")
            let key: RSAPrivateKey
            if let opened = known[kid] {
                key = opened
            } else {
                guard let pem = try? keyRing.openString(try row.string("private_key_enc"), purpose: Self.purpose, associatedData: Array(kid.utf8)),
                      let parsed = try? RSAPrivateKey(pem: pem), parsed.publicKey.thumbprint == kid else {
                    state.withLock { $0.refreshing = false }
                    throw LoadError.cannotOpen(kid: kid)
                }
                key = parsed
            }
            entries.append(Entry(kid: kid, key: key, createdAt: try row.int("created_at"), activatesAt: try row.int("activates_at"),
                                 signsUntil: try row.optionalInt("signs_until"), publishedUntil: try row.optionalInt("published_until")))
        }
        let now = clock.now()
        state.withLock { state in
            // Never empty: the first start stored one, and housekeeping removes only retired keys.
            if !entries.isEmpty { state.entries = entries }
            state.loadedAt = now
            state.refreshing = false
        }
    }

    /// Every stored key and its phase, in the order they sign.
    public func list() async throws -> [Listing] {
        try await refresh()
        let now = clock.now()
        return state.withLock { $0.entries }.map {
            Listing(kid: $0.kid, phase: $0.phase(at: now), createdAt: $0.createdAt, activatesAt: $0.activatesAt,
                    signsUntil: $0.signsUntil, publishedUntil: $0.publishedUntil)
        }
    }

    // MARK: Rotation

    /// Publishes a new key now; it signs from `now + grace`, when the keys signing today stop;
    /// they stay published until `lifetime` (the longest lifetime of a token they sign) plus a
    /// margin after that. Refused while an earlier rotation's key has not started signing: the
    /// conditional UPDATE decides between two rotations running at once, as codes are used once.
    public func rotate(grace: Int, lifetime: Int) async throws -> Rotation {
        let key = try await Self.generate()
        let kid = key.publicKey.thumbprint, now = clock.now()
        let sealed = keyRing.seal(key.pem, purpose: Self.purpose, associatedData: Array(kid.utf8))
        let activatesAt = now + grace, publishedUntil = activatesAt + lifetime + Self.margin
        let outcome: Result<[(kid: String, publishedUntil: Int)], LoadError> = try await database.write { db in
            let replaced = try db.query("SELECT kid FROM signing_keys WHERE signs_until IS NULL AND activates_at <= ?", now)
                .map { try $0.string("kid") }
            let claimed = try db.execute("""
                UPDATE signing_keys SET signs_until = ?, published_until = ? WHERE signs_until IS NULL AND activates_at <= ?
                """, activatesAt, publishedUntil, now)
            guard claimed > 0 else {
                let pending = try db.queryOne("SELECT kid, activates_at FROM signing_keys WHERE activates_at > ? ORDER BY activates_at DESC", now)
                return .failure(.rotationPending(kid: try pending?.string("kid"), activatesAt: try pending?.int("activates_at")))
            }
            _ = try db.execute("INSERT INTO signing_keys (kid, private_key_enc, created_at, activates_at) VALUES (?, ?, ?, ?)",
                               kid, sealed, now, activatesAt)
            _ = try Self.purgeRetired(now: now, in: db)
            return .success(replaced.map { ($0, publishedUntil) })
        }
        let replaced = try outcome.get()
        try await refresh()
        return Rotation(kid: kid, activatesAt: activatesAt, replaced: replaced)
    }

    /// Deletes retired keys (housekeeping and every rotation).
    static func purgeRetired(now: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM signing_keys WHERE published_until IS NOT NULL AND published_until <= ?", now)
    }

    private static func generate() async throws -> RSAPrivateKey {
        do { return try await blocking { try RSAPrivateKey.generate(bits: 2048) } } catch { throw LoadError.generationFailed }
    }

    private static func stored(_ database: any Database) async throws -> [Row] {
        try await database.read { db in
            try db.query("""
                SELECT kid, private_key_enc, created_at, activates_at, signs_until, published_until
                FROM signing_keys ORDER BY activates_at, created_at, kid
                """)
        }
    }
}
