import Foundation
import Identity
import Security
import Storage
import Web

/// The client registry: registering clients (secret shown once, stored hashed), listing,
/// removing, and authenticating them at the token endpoints.
public struct ClientRegistry: Sendable {
    let database: any Database
    let clock: Clock
    /// Clients the token endpoint authenticated lately (`authenticate(_:cached:)`).
    let cache: ClientCache

    public init(database: any Database, clock: Clock) {
        self.database = database
        self.clock = clock
        cache = ClientCache(clock: clock)
    }

    /// A client as just registered, with its secret in the clear: the only time it exists so.
    public struct Registered: Sendable {
        /// The stored client.
        public let client: Client
        /// nil for public clients.
        public let secret: String?
    }

    /// Registers a client, or throws `FieldErrors`. The id is 128 random bits, the secret 256.
    public func register(_ raw: NewClient) async throws -> Registered {
        var new = raw
        new.name = new.name.trimmingCharacters(in: .whitespaces)
        let errors = new.problems()
        guard errors.isEmpty else { throw errors }
        let clientID = SecureRandom.token(byteCount: 16)
        let secret = new.isConfidential ? SecureRandom.token(byteCount: 32) : nil
        let now = clock.now()
        let client = try await database.write { [new] db in
            try ClientRepository.insert(clientID: clientID, secretHash: secret.map(TokenHash.of), new, now: now, in: db)
            guard let client = try ClientRepository.find(clientID: clientID, in: db) else {
                throw DatabaseError.sql(code: 0, message: "inserted client vanished")
            }
            return client
        }
        return Registered(client: client, secret: secret)
    }

    /// Every client, oldest first.
    public func all() async throws -> [Client] {
        try await database.read { db in try ClientRepository.all(in: db) }
    }

    /// The client with `clientID`, if registered.
    public func find(_ clientID: String) async throws -> Client? {
        guard ClientRegistry.isPlausibleID(clientID) else { return nil }
        return try await database.read { db in try ClientRepository.find(clientID: clientID, in: db) }
    }

    /// Turns one of a client's switches on or off; false when there is no such client.
    @discardableResult
    public func set(_ setting: Client.Setting, to value: Bool, clientID: String) async throws -> Bool {
        defer { cache.forget(clientID) }
        return try await database.write { db in try ClientRepository.set(setting, to: value, clientID: clientID, in: db) }
    }

    /// Removes a client with everything issued to it; false when there was none.
    @discardableResult
    public func remove(_ clientID: String) async throws -> Bool {
        defer { cache.forget(clientID) }
        return try await database.write { db in try ClientRepository.delete(clientID: clientID, in: db) }
    }

    /// The client these credentials prove, or why they prove nothing. Secrets are compared as
    /// SHA-256 digests in constant time. With `cached`, a client read in the last few seconds is
    /// not read again (`ClientCache`): only for callers that mint tokens, since minting is where
    /// a stale copy is caught.
    public func authenticate(_ credentials: ClientCredentials, cached: Bool = false) async throws -> Client {
        guard ClientRegistry.isPlausibleID(credentials.clientID) else { throw ClientAuthenticationError.unknownClient }
        let clientID = credentials.clientID
        let client: Client, storedHash: String?
        if cached, let entry = cache.entry(clientID) {
            (client, storedHash) = (entry.client, entry.secretHash)
        } else {
            guard let read = try await database.read({ db in try ClientRepository.credentials(clientID: clientID, in: db) }) else {
                throw ClientAuthenticationError.unknownClient
            }
            (client, storedHash) = read
            cache.remember(client, secretHash: storedHash)
        }
        if client.isConfidential {
            guard let secret = credentials.secret, let storedHash,
                  constantTimeEquals(Array(TokenHash.of(secret).utf8), Array(storedHash.utf8)) else {
                throw ClientAuthenticationError.wrongSecret
            }
        } else if let secret = credentials.secret, !secret.isEmpty {
            throw ClientAuthenticationError.unexpectedSecret
        }
        return client
    }

    /// Ids we issue are short base64url strings; anything else is not worth a query.
    static func isPlausibleID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }
}
