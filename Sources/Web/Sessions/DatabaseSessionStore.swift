import Foundation
import Storage

/// Sessions in an application's database (a `sessions` table, created by the site's and the
/// provider's own migrations), so any instance can serve any visitor and signing out on one
/// ends the session everywhere.
public struct DatabaseSessionStore: SessionStore {
    let database: any Database

    /// A store over `database`.
    public init(database: any Database) { self.database = database }

    public func load(idHash: String) async throws -> SessionRecord? {
        try await database.read { db in
            guard let row = try db.queryOne("SELECT id_hash, user_id, data, created_at, last_seen, expires_at FROM sessions WHERE id_hash = ?", idHash) else {
                return nil
            }
            let values = (try? JSONDecoder().decode([String: String].self, from: Data(try row.string("data").utf8))) ?? [:]
            return SessionRecord(idHash: try row.string("id_hash"), userID: try row.optionalInt64("user_id"), values: values,
                                 createdAt: try row.int("created_at"), lastSeen: try row.int("last_seen"), expiresAt: try row.int("expires_at"))
        }
    }

    public func save(_ record: SessionRecord, client: SessionClient) async throws {
        let data = String(decoding: try JSONEncoder().encode(record.values), as: UTF8.self)
        let agent = client.userAgent.map { String($0.prefix(300)) }
        try await database.write { db in
            try db.execute("""
                INSERT INTO sessions (id_hash, user_id, data, created_at, last_seen, expires_at, remote_ip, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id_hash) DO UPDATE SET user_id = excluded.user_id, data = excluded.data,
                    last_seen = excluded.last_seen, expires_at = excluded.expires_at,
                    remote_ip = excluded.remote_ip, user_agent = excluded.user_agent
                """, record.idHash, record.userID, data, record.createdAt, record.lastSeen, record.expiresAt, client.remoteIP, agent)
        }
    }

    public func delete(idHash: String) async throws {
        try await database.write { db in _ = try db.execute("DELETE FROM sessions WHERE id_hash = ?", idHash) }
    }

    public func update(_ record: SessionRecord, client: SessionClient) async throws -> Bool {
        let data = String(decoding: try JSONEncoder().encode(record.values), as: UTF8.self)
        let agent = client.userAgent.map { String($0.prefix(300)) }
        return try await database.write { db in
            try db.execute("""
                UPDATE sessions SET user_id = ?, data = ?, last_seen = ?, expires_at = ?, remote_ip = ?, user_agent = ?
                WHERE id_hash = ?
                """, record.userID, data, record.lastSeen, record.expiresAt, client.remoteIP, agent, record.idHash) > 0
        }
    }
}
