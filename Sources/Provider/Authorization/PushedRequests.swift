import Identity
import Storage
import Web

/// Pushed authorization requests (RFC 9126): the parameters a client posted to `/oauth/par`,
/// kept under the SHA-256 of a random `request_uri` for a minute, bound to the client, and
/// redeemed once at the authorization endpoint.
public struct PushedRequests: Sendable {
    let database: any Database
    let clock: Clock

    /// How long a `request_uri` lives (RFC 9126 §2.2 suggests a short time; 60 s like codes).
    public static let lifetime = 60
    /// The URN prefix of every `request_uri` we issue (RFC 9126 §2.2).
    public static let prefix = "urn:ietf:params:oauth:request_uri:"
    /// Parameters that authenticate the client: never stored, never replayed into the request.
    static let credentialParameters: Set<String> = ["client_secret", "client_assertion", "client_assertion_type"]

    /// Why a `request_uri` was not accepted.
    public enum Refusal: Error, Sendable, Equatable {
        /// Not one of ours, or never issued.
        case unknown
        case expired
        /// Used already (or by another tab at the same moment).
        case used
        /// Issued to another client than the one named in the request.
        case otherClient
    }

    /// Stores `parameters` (already validated as an authorization request of `clientID`) and
    /// returns the new `request_uri`.
    public func push(_ parameters: FormData, clientID: String) async throws -> String {
        let random = TokenHash.newToken()
        let kept = FormData(parameters.filter { !Self.credentialParameters.contains($0.name) }.map { ($0.name, $0.value) })
        let now = clock.now()
        try await database.write { db in
            _ = try db.execute("""
                INSERT INTO pushed_authorization_requests (request_hash, client_id, parameters, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?)
                """, TokenHash.of(random), clientID, kept.encoded, now, now + Self.lifetime)
        }
        return Self.prefix + random
    }

    /// The parameters pushed under `requestURI` for `clientID`, used up by this call: of two
    /// simultaneous redemptions, one wins (a conditional UPDATE) and the other is `used`.
    public func redeem(_ requestURI: String, clientID: String) async throws -> FormData {
        guard requestURI.hasPrefix(Self.prefix) else { throw Refusal.unknown }
        let random = String(requestURI.dropFirst(Self.prefix.count))
        guard TokenHash.isPlausible(random) else { throw Refusal.unknown }
        let hash = TokenHash.of(random), now = clock.now()
        let outcome: Result<String, Refusal> = try await database.write { db in
            guard let row = try db.queryOne("""
                SELECT client_id, parameters, expires_at, used_at FROM pushed_authorization_requests WHERE request_hash = ?
                """, hash) else { return .failure(.unknown) }
            guard try row.string("client_id") == clientID else { return .failure(.otherClient) }
            if try row.optionalInt("used_at") != nil { return .failure(.used) }
            guard now < (try row.int("expires_at")) else { return .failure(.expired) }
            guard try db.execute("UPDATE pushed_authorization_requests SET used_at = ? WHERE request_hash = ? AND used_at IS NULL",
                                 now, hash) == 1 else { return .failure(.used) }
            return .success(try row.string("parameters"))
        }
        let text = try outcome.get()
        guard let parameters = FormData(urlEncoded: Substring(text)) else { throw Refusal.unknown }
        return parameters
    }

    /// Removes rows that expired before `cutoff`: past expiry they are refused anyway.
    static func purge(before cutoff: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM pushed_authorization_requests WHERE expires_at < ?", cutoff)
    }
}
