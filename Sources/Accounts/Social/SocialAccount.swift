import Mustache
import Storage

/// A provider account linked to a user, with its token's state (never the token itself).
public struct SocialAccount: Sendable, Equatable {
    public let id: Int64
    public let userID: Int64
    public let provider: String
    public let providerUID: String
    public var login: String?
    public var name: String?
    public var email: String?
    public var emailVerified: Bool
    public var avatarURL: String?
    public let createdAt: Int
    public var lastLoginAt: Int?
    // From social_tokens (nil when no token row).
    public var tokenStatus: TokenStatus?
    public var tokenScopes: String?
    public var tokenExpiresAt: Int?
    public var tokenLastRefreshAt: Int?

    init(row: Row) throws {
        id = try row.int64("id")
        userID = try row.int64("user_id")
        provider = try row.string("provider")
        providerUID = try row.string("provider_uid")
        login = try row.optionalString("login")
        name = try row.optionalString("name")
        email = try row.optionalString("email")
        emailVerified = try row.bool("email_verified")
        avatarURL = try row.optionalString("avatar_url")
        createdAt = try row.int("created_at")
        lastLoginAt = try row.optionalInt("last_login_at")
        // An unknown stored word reads as needing reconnection: the safe side.
        tokenStatus = try row.optionalString("status").map { TokenStatus(rawValue: $0) ?? .reconnect }
        tokenScopes = try row.optionalString("scopes")
        tokenExpiresAt = try row.optionalInt("expires_at")
        tokenLastRefreshAt = try row.optionalInt("last_refresh_at")
    }

    /// How the token stands now: its stored status, or `expired` once past its expiry.
    public func effectiveTokenStatus(now: Int) -> TokenStatus {
        guard let status = tokenStatus else { return .none }
        if status == .active, let expires = tokenExpiresAt, expires <= now { return .expired }
        return status
    }
}

/// SQL for `social_accounts` and `social_tokens`.
public enum SocialAccountRepository {
    static let select = """
        SELECT a.id, a.user_id, a.provider, a.provider_uid, a.login, a.name, a.email, a.email_verified, a.avatar_url,
               a.created_at, a.last_login_at, t.status, t.scopes, t.expires_at, t.last_refresh_at
        FROM social_accounts a LEFT JOIN social_tokens t ON t.social_account_id = a.id
        """

    public static func find(provider: String, uid: String, in db: any Connection) throws -> SocialAccount? {
        try db.queryOne(select + " WHERE a.provider = ? AND a.provider_uid = ?", provider, uid).map(SocialAccount.init)
    }

    public static func find(id: Int64, in db: any Connection) throws -> SocialAccount? {
        try db.queryOne(select + " WHERE a.id = ?", id).map(SocialAccount.init)
    }

    public static func forUser(_ userID: Int64, in db: any Connection) throws -> [SocialAccount] {
        try db.query(select + " WHERE a.user_id = ? ORDER BY a.provider, a.id", userID).map(SocialAccount.init)
    }

    static func insert(userID: Int64, provider: String, profile: NormalizedProfile, profileJSON: String, now: Int,
                       in db: any Connection) throws -> Int64 {
        try db.insert("""
            INSERT INTO social_accounts (user_id, provider, provider_uid, login, name, email, email_verified, avatar_url,
                                         profile_json, created_at, last_login_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, userID, provider, profile.uid, profile.login, profile.name, profile.email, profile.emailVerified,
                      profile.avatarURL, profileJSON, now, now)
    }

    /// Refreshes what may change at the provider (login, name, email, avatar); never the uid.
    static func refresh(id: Int64, profile: NormalizedProfile, profileJSON: String, now: Int, in db: any Connection) throws {
        try db.execute("""
            UPDATE social_accounts SET login = ?, name = ?, email = ?, email_verified = ?, avatar_url = ?, profile_json = ?,
                   last_login_at = ? WHERE id = ?
            """, profile.login, profile.name, profile.email, profile.emailVerified, profile.avatarURL, profileJSON, now, id)
    }

    static func delete(id: Int64, userID: Int64, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM social_accounts WHERE id = ? AND user_id = ?", id, userID)
    }
}
