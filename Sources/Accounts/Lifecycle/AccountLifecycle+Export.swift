import Foundation
import Identity
import Storage

/// "Download your data": everything the site keeps about a person, as JSON. Secrets stay out:
/// no password hash, no provider token, no API token or its hash, no session id or its hash,
/// no second-factor secret or recovery code.
extension AccountLifecycle {
    /// The export's shape (its field names are the JSON's).
    public struct Export: Encodable, Sendable {
        public struct Profile: Encodable, Sendable {
            let id: Int64, username: String, email: String?, email_verified: Bool, has_password: Bool, is_admin: Bool, created_at: Int
        }
        public struct LinkedAccount: Encodable, Sendable {
            let provider: String, provider_uid: String, login: String?, name: String?, email: String?, email_verified: Bool
            let avatar_url: String?, connected_at: Int, last_sign_in_at: Int?, token_status: String, token_scopes: String?, token_expires_at: Int?
        }
        public struct SessionRecord: Encodable, Sendable {
            let current: Bool, signed_in_at: Int, last_seen_at: Int, ip: String?, user_agent: String?
        }
        public struct APITokenRecord: Encodable, Sendable {
            let client: String?, created_at: Int, expires_at: Int, last_used_at: Int?, revoked_at: Int?
        }
        public struct Passkey: Encodable, Sendable {
            let name: String, created_at: Int, last_used_at: Int?
        }
        public struct SecondFactors: Encodable, Sendable {
            let authenticator_app: Bool, passkeys: [Passkey], recovery_codes_left: Int
        }
        public struct AuditRecord: Encodable, Sendable {
            /// `you`, `administrator` or `system`: administrators are not named to the people they act on.
            let action: String, by: String, detail: String, ip: String?, at: Int
        }
        let exported_at: Int
        let profile: Profile
        let linked_accounts: [LinkedAccount]
        let sessions: [SessionRecord]
        let api_tokens: [APITokenRecord]
        let second_factors: SecondFactors
        let audit_log: [AuditRecord]
    }

    /// The audit entries an export carries at most (newest first).
    public static let exportedAuditEntries = 1000

    /// `user`'s data; `currentSession` (the id hash of the session asking) is marked as such.
    public func export(_ user: User, currentSession: String?) async throws -> Export {
        let now = clock.now()
        return try await database.read { db in
            let linked = try SocialAccountRepository.forUser(user.id, in: db).map { account in
                Export.LinkedAccount(provider: account.provider, provider_uid: account.providerUID, login: account.login, name: account.name,
                                     email: account.email, email_verified: account.emailVerified, avatar_url: account.avatarURL,
                                     connected_at: account.createdAt, last_sign_in_at: account.lastLoginAt,
                                     token_status: account.effectiveTokenStatus(now: now).rawValue, token_scopes: account.tokenScopes,
                                     token_expires_at: account.tokenExpiresAt)
            }
            let sessions = try SessionRepository.active(userID: user.id, now: now, in: db).map { session in
                Export.SessionRecord(current: session.idHash == currentSession, signed_in_at: session.createdAt, last_seen_at: session.lastSeen,
                                     ip: session.remoteIP, user_agent: session.userAgent)
            }
            let tokens = try db.query("""
                SELECT client, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id
                """, user.id).map { row in
                Export.APITokenRecord(client: try row.optionalString("client"), created_at: try row.int("created_at"),
                                      expires_at: try row.int("expires_at"), last_used_at: try row.optionalInt("last_used_at"),
                                      revoked_at: try row.optionalInt("revoked_at"))
            }
            let factors = try SecondFactorStatus.of(user.id, in: db)
            let passkeys = try PasskeyRepository.list(userID: user.id, in: db).map {
                Export.Passkey(name: $0.name, created_at: $0.createdAt, last_used_at: $0.lastUsedAt)
            }
            let audit = try db.query("""
                SELECT action, actor_id, detail, remote_ip, created_at FROM audit_log WHERE target_user = ? ORDER BY id DESC LIMIT ?
                """, user.id, Self.exportedAuditEntries).map { row in
                let actor = try row.optionalInt64("actor_id")
                return Export.AuditRecord(action: try row.string("action"), by: actor == nil ? "system" : actor == user.id ? "you" : "administrator",
                                          detail: try row.string("detail"), ip: try row.optionalString("remote_ip"), at: try row.int("created_at"))
            }
            return Export(exported_at: now,
                          profile: .init(id: user.id, username: user.username, email: user.email, email_verified: user.emailVerified,
                                         has_password: user.hasPassword, is_admin: user.isAdmin, created_at: user.createdAt),
                          linked_accounts: linked, sessions: sessions, api_tokens: tokens,
                          second_factors: .init(authenticator_app: factors.totpEnabled, passkeys: passkeys,
                                                recovery_codes_left: factors.recoveryCodesLeft),
                          audit_log: audit)
        }
    }

    /// The export as pretty-printed JSON with sorted keys.
    public static func json(_ export: Export) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(export))
    }
}
