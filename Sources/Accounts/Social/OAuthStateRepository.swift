import Security
import Storage

/// A sign-in or connect in progress, as stored server-side under the hash of its `state`.
struct PendingAuthorization: Sendable {
    enum Intent: String, Sendable { case signIn = "signin", connect }

    let provider: String
    let intent: Intent
    let userID: Int64?
    let sessionBinding: String
    let codeVerifier: String?
    let nonce: String?
    let returnTo: String?
    let redirectURI: String
    let expiresAt: Int
}

/// SQL for `oauth_states`. A state is taken (read and deleted) in one transaction, so it can be
/// used once only, whatever races.
enum OAuthStateRepository {
    static let purpose = "oauth-pkce"

    static func insert(stateHash: String, _ pending: PendingAuthorization, keys: KeyRing, now: Int, in db: any Connection) throws {
        let verifier = pending.codeVerifier.map { keys.seal(Array($0.utf8), purpose: purpose, associatedData: Array(stateHash.utf8)) }
        try db.execute("""
            INSERT INTO oauth_states (state_hash, session_binding, provider, intent, user_id, pkce_verifier_enc, nonce, return_to,
                                      redirect_uri, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, stateHash, pending.sessionBinding, pending.provider, pending.intent.rawValue, pending.userID, verifier, pending.nonce,
                       pending.returnTo, pending.redirectURI, now, pending.expiresAt)
    }

    /// Reads and deletes the state, whatever it turns out to be.
    static func take(stateHash: String, keys: KeyRing, in db: any Connection) throws -> PendingAuthorization? {
        guard let row = try db.queryOne("""
            SELECT session_binding, provider, intent, user_id, pkce_verifier_enc, nonce, return_to, redirect_uri, expires_at
            FROM oauth_states WHERE state_hash = ?
            """, stateHash) else { return nil }
        try db.execute("DELETE FROM oauth_states WHERE state_hash = ?", stateHash)
        let verifier = try row.optionalString("pkce_verifier_enc").map {
            String(decoding: try keys.open($0, purpose: purpose, associatedData: Array(stateHash.utf8)), as: UTF8.self)
        }
        return PendingAuthorization(
            provider: try row.string("provider"), intent: PendingAuthorization.Intent(rawValue: try row.string("intent")) ?? .signIn,
            userID: try row.optionalInt64("user_id"), sessionBinding: try row.string("session_binding"), codeVerifier: verifier,
            nonce: try row.optionalString("nonce"), returnTo: try row.optionalString("return_to"),
            redirectURI: try row.string("redirect_uri"), expiresAt: try row.int("expires_at"))
    }
}
