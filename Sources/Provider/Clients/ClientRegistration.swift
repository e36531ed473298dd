import Foundation
import Identity
import Security
import Storage

/// Dynamic client registration (RFC 7591) and its management (RFC 7592): client metadata read
/// strictly into a `NewClient` (so every rule of the admin's registration applies, plus a few
/// of its own), initial access tokens, and registration access tokens. Tokens are stored only as
/// SHA-256 and compared in constant time.
public struct ClientRegistration: Sendable {
    let database: any Database
    let clock: Clock
    let clients: ClientRegistry

    /// The largest metadata document read (bytes); a real one is a few hundred.
    public static let maxDocumentSize = 16 * 1024
    /// How long an initial access token lives unless the admin says otherwise (one day).
    public static let initialTokenLifetime = 86_400
    /// Grants a client may give itself: never `password` (RFC 9700 §2.4), and nothing that needs
    /// an admin's trust (resource servers, skipped consent are not metadata at all).
    static let selfServiceGrants: Set<GrantType> = [.authorizationCode, .refreshToken, .clientCredentials, .deviceCode]
    static let authMethods = ["client_secret_basic", "client_secret_post", "none"]

    /// Why metadata was refused, as RFC 7591 §3.2.2 names it.
    public enum Refusal: Error, Sendable, Equatable {
        case invalidRedirectURI(String)
        case invalidMetadata(String)
    }

    /// What a client registered: its metadata as we hold it, and its credentials once.
    public struct Registered: Sendable {
        public let client: Client
        public let secret: String?
        public let registrationToken: String
        public let authMethod: String
    }

    // MARK: Metadata

    /// The metadata in `document` as a client description; unknown members are ignored (§2) and
    /// never echoed. `current` is the client being updated (RFC 7592), whose kind cannot change.
    static func newClient(from document: [UInt8], current: Client? = nil) throws(Refusal) -> (NewClient, authMethod: String) {
        guard document.count <= maxDocumentSize else { throw .invalidMetadata("The metadata document is larger than \(maxDocumentSize) bytes.") }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(document)), case .object(let fields) = value else {
            throw .invalidMetadata("The body must be a JSON object.")
        }
        func strings(_ name: String) throws(Refusal) -> [String]? {
            guard let member = fields[name], member != .null else { return nil }
            guard case .array(let items) = member, items.count <= 20 else { throw .invalidMetadata("\(name) must be an array of at most 20 strings.") }
            var result: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw .invalidMetadata("\(name) must be an array of strings.") }
                result.append(text)
            }
            return result
        }
        func string(_ name: String) throws(Refusal) -> String? {
            guard let member = fields[name], member != .null else { return nil }
            guard case .string(let text) = member else { throw .invalidMetadata("\(name) must be a string.") }
            return text
        }
        let authMethod = try string("token_endpoint_auth_method") ?? (current.map { $0.isConfidential ? "client_secret_basic" : "none" } ?? "client_secret_basic")
        guard authMethods.contains(authMethod) else { throw .invalidMetadata("token_endpoint_auth_method must be one of \(authMethods.joined(separator: ", ")).") }
        let confidential = authMethod != "none"
        if let current, current.isConfidential != confidential {
            throw .invalidMetadata("token_endpoint_auth_method cannot change between a public and a confidential client.")
        }
        let redirectURIs = try strings("redirect_uris") ?? []
        for uri in redirectURIs {
            if let problem = NewClient.redirectURIProblem(uri) { throw .invalidRedirectURI("\(String(uri.prefix(100))): \(problem)") }
        }
        var grants = GrantType.defaultForNewClients
        if let names = try strings("grant_types") {
            grants = []
            for name in names {
                guard let grant = GrantType(rawValue: name), selfServiceGrants.contains(grant) else {
                    throw .invalidMetadata("The grant type \(String(name.prefix(60))) cannot be registered.")
                }
                grants.insert(grant)
            }
        }
        if let responseTypes = try strings("response_types"), responseTypes.contains(where: { $0 != "code" }) {
            throw .invalidMetadata("Only the response type code is supported.")
        }
        var scopes = ScopeSet(ScopeSet.standard)
        if let text = try string("scope") {
            guard let parsed = ScopeSet(parsing: text), !parsed.isEmpty, parsed.values.count <= 30 else { throw .invalidMetadata("scope is malformed.") }
            scopes = parsed
        }
        let name = try string("client_name") ?? "Unnamed application"
        let new = NewClient(name: name, redirectURIs: redirectURIs, grantTypes: grants, scopes: scopes, isConfidential: confidential)
        let problems = new.problems()
        // An RFC 7591 error description is for programs: always English.
        if let message = problems["redirect_uris"] { throw .invalidRedirectURI(message.description) }
        if let message = problems.messages.sorted(by: { $0.key < $1.key }).first?.value { throw .invalidMetadata(message.description) }
        return (new, authMethod)
    }

    /// The metadata as the client may read it back (RFC 7591 §3.2.1): what we store, nothing else.
    static func metadata(of client: Client, authMethod: String? = nil) -> [String: JSONValue] {
        [
            "client_id": .string(client.clientID),
            "client_id_issued_at": .int(client.createdAt),
            "client_name": .string(client.name),
            "redirect_uris": .array(client.redirectURIs.map(JSONValue.string)),
            "grant_types": .array(client.grantTypes.sorted().map { .string($0.rawValue) }),
            "response_types": client.allows(.authorizationCode) ? ["code"] : [],
            "scope": .string(client.scopes.description),
            "token_endpoint_auth_method": .string(authMethod ?? (client.isConfidential ? "client_secret_basic" : "none")),
        ]
    }

    // MARK: Registering and managing

    /// Registers the client `document` describes. With `initialToken` (registration by token),
    /// the token is used up in the same transaction as the client is written, and only when the
    /// metadata was valid: a refused document does not cost the holder their token.
    public func register(_ document: [UInt8], initialToken: String? = nil) async throws -> Registered {
        var (new, authMethod) = try Self.newClient(from: document)
        new.name = new.name.trimmingCharacters(in: .whitespaces)
        let clientID = SecureRandom.token(byteCount: 16), token = TokenHash.newToken()
        let secret = new.isConfidential ? SecureRandom.token(byteCount: 32) : nil
        let now = clock.now()
        let client: Client? = try await database.write { [new] db in
            if let initialToken {
                guard TokenHash.isPlausible(initialToken), try db.execute("""
                    UPDATE initial_access_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
                    """, now, TokenHash.of(initialToken), now) == 1 else { return nil }
            }
            try ClientRepository.insert(clientID: clientID, secretHash: secret.map(TokenHash.of), registrationTokenHash: TokenHash.of(token),
                                        new, now: now, in: db)
            return try ClientRepository.find(clientID: clientID, in: db)
        }
        guard let client else { throw InitialTokenRefused() }
        return Registered(client: client, secret: secret, registrationToken: token, authMethod: authMethod)
    }

    /// The initial access token was unknown, expired or used (by now).
    public struct InitialTokenRefused: Error, Sendable {}

    /// Whether `token` is a live initial access token (a look before reading the document; the
    /// registration itself decides).
    public func isLiveInitialToken(_ token: String) async throws -> Bool {
        guard TokenHash.isPlausible(token) else { return false }
        let now = clock.now()
        return try await database.read { db in
            try db.queryOne("SELECT 1 FROM initial_access_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                            TokenHash.of(token), now) != nil
        }
    }

    /// The client whose registration access token `token` is, if it is `clientID`'s.
    public func client(_ clientID: String, token: String) async throws -> Client? {
        guard ClientRegistry.isPlausibleID(clientID), TokenHash.isPlausible(token) else { return nil }
        let stored = try await database.read { db in try ClientRepository.registrationTokenHash(clientID: clientID, in: db) }
        guard let stored, constantTimeEquals(Array(TokenHash.of(token).utf8), Array(stored.utf8)) else { return nil }
        return try await clients.find(clientID)
    }

    /// Replaces a client's metadata (RFC 7592 §2.2).
    public func update(_ client: Client, document: [UInt8]) async throws -> (Client, String) {
        let (new, authMethod) = try Self.newClient(from: document, current: client)
        let id = client.clientID
        let updated = try await database.write { db in
            _ = try ClientRepository.update(clientID: id, new, in: db)
            return try ClientRepository.find(clientID: id, in: db)
        }
        clients.cache.forget(id)
        guard let updated else { throw Refusal.invalidMetadata("The client no longer exists.") }
        return (updated, authMethod)
    }

    // MARK: Initial access tokens

    /// A new initial access token (`latchkey clients token`), good for one registration.
    public func issueInitialToken(lifetime: Int = initialTokenLifetime) async throws -> String {
        let token = TokenHash.newToken(), now = clock.now()
        try await database.write { db in
            _ = try db.execute("INSERT INTO initial_access_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)",
                               TokenHash.of(token), now, now + lifetime)
        }
        return token
    }

    static func purge(before cutoff: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM initial_access_tokens WHERE expires_at < ?", cutoff)
    }
}
