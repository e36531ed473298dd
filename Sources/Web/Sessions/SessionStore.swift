import Synchronization

/// A session as stored: the id's SHA-256 (never the id itself), the user, the values and times.
public struct SessionRecord: Sendable, Equatable {
    public var idHash: String
    public var userID: Int64?
    public var values: [String: String]
    public var createdAt: Int
    public var lastSeen: Int
    public var expiresAt: Int
    /// What a store read about `userID` in the same trip as the session (an app's user record),
    /// so the app need not fetch it again; nil when the store reads nothing more. Not stored.
    public var owner: SessionOwner?

    /// A record from its parts.
    public init(idHash: String, userID: Int64?, values: [String: String], createdAt: Int, lastSeen: Int, expiresAt: Int,
                owner: SessionOwner? = nil) {
        self.owner = owner
        self.idHash = idHash
        self.userID = userID
        self.values = values
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.expiresAt = expiresAt
    }
}

/// The app's record of a session's user, as a store loaded it: `value` is nil when the app said
/// the user no longer counts (deleted, disabled). The framework never looks inside.
public struct SessionOwner: Sendable {
    public let value: (any Sendable)?
    public init(_ value: (any Sendable)?) { self.value = value }
}

extension SessionRecord {
    /// Two records are the same session when their stored parts are; `owner` is a cache.
    public static func == (lhs: SessionRecord, rhs: SessionRecord) -> Bool {
        lhs.idHash == rhs.idHash && lhs.userID == rhs.userID && lhs.values == rhs.values && lhs.createdAt == rhs.createdAt
            && lhs.lastSeen == rhs.lastSeen && lhs.expiresAt == rhs.expiresAt
    }
}

/// Where sessions live. The site keeps them in its database; framework tests use memory.
public protocol SessionStore: Sendable {
    /// The session whose id hashes to `idHash`, if stored (expired ones included: the
    /// middleware decides).
    func load(idHash: String) async throws -> SessionRecord?
    /// Inserts or replaces a session; `client` describes the browser for the account page.
    func save(_ record: SessionRecord, client: SessionClient) async throws
    /// Deletes one session.
    func delete(idHash: String) async throws
    /// Updates a stored session in place, returning false (and storing nothing) when it has been
    /// deleted meanwhile, so a request in flight cannot bring back a session ended elsewhere.
    func update(_ record: SessionRecord, client: SessionClient) async throws -> Bool
}

extension SessionStore {
    /// For stores that cannot tell an update from an insert: saves, so the session lives on.
    public func update(_ record: SessionRecord, client: SessionClient) async throws -> Bool {
        try await save(record, client: client)
        return true
    }
}

/// What the account page shows about a session's browser.
public struct SessionClient: Sendable {
    public var remoteIP: String
    public var userAgent: String?

    /// A client description.
    public init(remoteIP: String, userAgent: String?) {
        self.remoteIP = remoteIP
        self.userAgent = userAgent
    }
}

/// Sessions in memory, for framework tests and throwaway servers.
public final class MemorySessionStore: SessionStore {
    private let records = Mutex<[String: SessionRecord]>([:])

    /// An empty store.
    public init() {}

    public func load(idHash: String) async throws -> SessionRecord? { records.withLock { $0[idHash] } }
    public func save(_ record: SessionRecord, client: SessionClient) async throws { records.withLock { $0[record.idHash] = record } }
    public func delete(idHash: String) async throws { _ = records.withLock { $0.removeValue(forKey: idHash) } }
    public func update(_ record: SessionRecord, client: SessionClient) async throws -> Bool {
        records.withLock { records in
            guard records[record.idHash] != nil else { return false }
            records[record.idHash] = record
            return true
        }
    }

    /// Number of stored sessions.
    public var count: Int { records.withLock { $0.count } }
}
