import Foundation
import Security
import Storage

/// Provider tokens at rest: AES-256-GCM ciphertexts (key id inside, for rotation), bound to
/// their social account so a ciphertext copied onto another row does not open. Tokens never
/// leave this type except to make a provider call; pages get `mask(_:)` at most.
public struct TokenVault: Sendable {
    static let purpose = "social-token"
    let keys: KeyRing

    public init(keys: KeyRing) { self.keys = keys }

    /// Inserts or replaces the tokens of social account `accountID`.
    func store(_ tokens: TokenSet, accountID: Int64, now: Int, refreshed: Bool = false, in db: any Connection) throws {
        let binding = Array("social_account:\(accountID)".utf8)
        let access = keys.seal(Array(tokens.accessToken.utf8), purpose: Self.purpose, associatedData: binding)
        let refresh = tokens.refreshToken.map { keys.seal(Array($0.utf8), purpose: Self.purpose, associatedData: binding) }
        try db.execute("""
            INSERT INTO social_tokens (social_account_id, access_token_enc, refresh_token_enc, token_type, scopes, expires_at,
                                       refresh_expires_at, status, last_refresh_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
            ON CONFLICT (social_account_id) DO UPDATE SET access_token_enc = excluded.access_token_enc,
                refresh_token_enc = COALESCE(excluded.refresh_token_enc, social_tokens.refresh_token_enc),
                token_type = excluded.token_type, scopes = excluded.scopes, expires_at = excluded.expires_at,
                refresh_expires_at = COALESCE(excluded.refresh_expires_at, social_tokens.refresh_expires_at),
                status = 'active', last_refresh_at = COALESCE(excluded.last_refresh_at, social_tokens.last_refresh_at),
                updated_at = excluded.updated_at
            """, accountID, access, refresh, tokens.tokenType, tokens.scopes.joined(separator: " "), tokens.expiresAt,
                       tokens.refreshExpiresAt, refreshed ? now : nil, now)
    }

    /// The decrypted tokens of an account, or nil when none are stored.
    func load(accountID: Int64, in db: any Connection) throws -> (access: String, refresh: String?, expiresAt: Int?, status: TokenStatus)? {
        guard let row = try db.queryOne("SELECT access_token_enc, refresh_token_enc, expires_at, status FROM social_tokens WHERE social_account_id = ?",
                                        accountID) else { return nil }
        let binding = Array("social_account:\(accountID)".utf8)
        let access = try keys.open(try row.string("access_token_enc"), purpose: Self.purpose, associatedData: binding)
        let refresh = try row.optionalString("refresh_token_enc").map { try keys.open($0, purpose: Self.purpose, associatedData: binding) }
        return (String(decoding: access, as: UTF8.self), refresh.map { String(decoding: $0, as: UTF8.self) },
                try row.optionalInt("expires_at"), TokenStatus(rawValue: try row.string("status")) ?? .reconnect)
    }

    static func setStatus(_ status: TokenStatus, accountID: Int64, now: Int, in db: any Connection) throws {
        try db.execute("UPDATE social_tokens SET status = ?, updated_at = ? WHERE social_account_id = ?", status.rawValue, now, accountID)
    }

    /// `gho_…wxyz`: enough to recognise a token, never enough to use it.
    public static func mask(_ token: String) -> String {
        guard token.count > 8 else { return "••••" }
        let underscore = token.firstIndex(of: "_").map { token.distance(from: token.startIndex, to: $0) } ?? -1
        let prefix = underscore >= 0 && underscore < 5 ? String(token.prefix(underscore + 1)) : ""
        return prefix + "…" + token.suffix(4)
    }
}
