import Identity
import Storage
import Web

/// The framework's `SessionStore` over the identity core's `sessions` table, so any instance
/// can serve any visitor and signing out on one ends the session everywhere.
public struct DatabaseSessionStore: SessionStore {
    /// Reads the app's record of a signed-in user (nil: no longer counts as signed in).
    public typealias OwnerLoader = @Sendable (_ userID: Int64, _ db: any Connection) throws -> (any Sendable)?

    let database: any Database
    let owner: OwnerLoader?

    /// A store over `database` (migrated with `Identity.Schema`). With `owner`, a signed-in
    /// session's user is read in the same transaction as the session: every signed-in page
    /// makes one trip to the database for both instead of two (`CurrentUserMiddleware` uses it).
    public init(database: any Database, owner: OwnerLoader? = nil) {
        self.database = database
        self.owner = owner
    }

    public func load(idHash: String) async throws -> SessionRecord? {
        let owner = owner
        return try await database.read { db -> SessionRecord? in
            guard let stored = try SessionRepository.load(idHash: idHash, in: db) else { return nil }
            let loaded = try stored.userID.flatMap { id in try owner.map { SessionOwner(try $0(id, db)) } }
            return SessionRecord(idHash: stored.idHash, userID: stored.userID, values: stored.values, createdAt: stored.createdAt,
                                 lastSeen: stored.lastSeen, expiresAt: stored.expiresAt, owner: loaded)
        }
    }

    public func save(_ record: SessionRecord, client: SessionClient) async throws {
        let stored = Self.stored(record, client)
        try await database.write { db in try SessionRepository.save(stored, in: db) }
    }

    public func delete(idHash: String) async throws {
        try await database.write { db in try SessionRepository.delete(idHash: idHash, in: db) }
    }

    public func update(_ record: SessionRecord, client: SessionClient) async throws -> Bool {
        let stored = Self.stored(record, client)
        return try await database.write { db in try SessionRepository.update(stored, in: db) }
    }

    private static func stored(_ record: SessionRecord, _ client: SessionClient) -> StoredSession {
        StoredSession(idHash: record.idHash, userID: record.userID, values: record.values, createdAt: record.createdAt,
                      lastSeen: record.lastSeen, expiresAt: record.expiresAt, remoteIP: client.remoteIP, userAgent: client.userAgent)
    }
}
