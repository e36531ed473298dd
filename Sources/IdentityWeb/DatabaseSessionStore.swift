import Identity
import Storage
import Web

/// The framework's `SessionStore` over the identity core's `sessions` table, so any instance
/// can serve any visitor and signing out on one ends the session everywhere.
public struct DatabaseSessionStore: SessionStore {
    let database: any Database

    /// A store over `database` (migrated with `Identity.Schema`).
    public init(database: any Database) { self.database = database }

    public func load(idHash: String) async throws -> SessionRecord? {
        try await database.read { db in try SessionRepository.load(idHash: idHash, in: db) }.map { stored in
            SessionRecord(idHash: stored.idHash, userID: stored.userID, values: stored.values, createdAt: stored.createdAt,
                          lastSeen: stored.lastSeen, expiresAt: stored.expiresAt)
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
