import Security
import Storage
import Web

/// A credential the site itself holds at a provider: today, a Facebook Page's long-lived token
/// (page id + token), used to act as the Page. The token is sealed with the key ring.
public struct SiteCredential: Sendable, Equatable {
    public let id: Int64
    public let provider: String
    /// The Facebook Page id.
    public let externalID: String
    public let isValid: Bool
    /// What debug_token called it (`PAGE`, `USER`).
    public let tokenType: String?
    /// Unix seconds; nil when it never expires (Page tokens from a long-lived user token).
    public let expiresAt: Int?
    public let checkedAt: Int?
    public let createdAt: Int
    public let updatedAt: Int

    init(row: Row) throws {
        id = try row.int64("id")
        provider = try row.string("provider")
        externalID = try row.string("external_id")
        isValid = try row.bool("is_valid")
        tokenType = try row.optionalString("token_type")
        let expiry = try row.optionalInt("expires_at")
        expiresAt = expiry == 0 ? nil : expiry
        checkedAt = try row.optionalInt("checked_at")
        createdAt = try row.int("created_at")
        updatedAt = try row.int("updated_at")
    }
}

/// Why a site credential was refused.
public enum SiteCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Facebook is not configured, so there is no app to check the token against.
    case providerNotConfigured(String)
    /// The page id is empty or not numeric.
    case invalidPageID
    /// debug_token says the token belongs to another app.
    case wrongApp
    /// debug_token says the token is invalid or expired.
    case invalidToken
    /// No such credential.
    case notFound

    public var description: String {
        switch self {
        case .providerNotConfigured(let id): "\(id) is not configured"
        case .invalidPageID: "the page id must be Facebook's numeric id"
        case .wrongApp: "the token was issued to another app"
        case .invalidToken: "the token is invalid or expired"
        case .notFound: "no such credential"
        }
    }
}

/// Connecting, checking and removing the site's own provider credentials.
public struct SiteCredentialService: Sendable {
    static let purpose = "site-credential"
    let database: any Database
    let keys: KeyRing
    let registry: ProviderRegistry

    /// The service over the site's database, key ring and providers.
    public init(database: any Database, keys: KeyRing, registry: ProviderRegistry) {
        self.database = database
        self.keys = keys
        self.registry = registry
    }

    /// Every stored credential.
    public func all() async throws -> [SiteCredential] {
        try await database.read { db in
            try db.query("SELECT * FROM site_credentials ORDER BY provider, external_id").map(SiteCredential.init)
        }
    }

    /// Checks `token` with Facebook's debug_token (it must be valid and issued to our app), then
    /// stores it sealed for Page `pageID`, replacing the Page's previous token (reconnect).
    public func connectFacebookPage(pageID: String, token: String, actor: Int64, ip: String, now: Int) async throws -> SiteCredential {
        guard !pageID.isEmpty, pageID.count <= 32, pageID.allSatisfy(\.isASCII), pageID.allSatisfy(\.isNumber) else {
            throw SiteCredentialError.invalidPageID
        }
        let info = try await debugFacebookToken(token)
        guard info.appID == registry.entry("facebook")?.api?.clientID else { throw SiteCredentialError.wrongApp }
        guard info.isValid else { throw SiteCredentialError.invalidToken }
        let sealed = keys.seal(Array(token.utf8), purpose: Self.purpose, associatedData: Self.binding("facebook", pageID))
        return try await database.write { db in
            let id = try db.insert("""
                INSERT INTO site_credentials (provider, external_id, token_enc, is_valid, token_type, expires_at, checked_at, created_by,
                                              created_at, updated_at)
                VALUES ('facebook', ?, ?, 1, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (provider, external_id) DO UPDATE SET token_enc = excluded.token_enc, is_valid = 1,
                    token_type = excluded.token_type, expires_at = excluded.expires_at, checked_at = excluded.checked_at,
                    updated_at = excluded.updated_at
                RETURNING id
                """, pageID, sealed, info.type, info.expiresAt, now, actor, now, now)
            try AuditLog.record("site_credential_connected", actor: actor, target: nil, detail: "facebook page \(pageID)", ip: ip, now: now, in: db)
            guard let row = try db.queryOne("SELECT * FROM site_credentials WHERE id = ?", id) else { throw SiteCredentialError.notFound }
            return try SiteCredential(row: row)
        }
    }

    /// Asks debug_token about the stored credential `id` and records the answer, with `audit`
    /// (given the validity found) in the same transaction when an administrator asked.
    public func check(id: Int64, now: Int, audit: (@Sendable (_ valid: Bool) -> AuditEvent)? = nil) async throws -> SiteCredential {
        let keys = keys
        let (credential, token) = try await database.read { db -> (SiteCredential, String) in
            guard let row = try db.queryOne("SELECT * FROM site_credentials WHERE id = ?", id) else { throw SiteCredentialError.notFound }
            let credential = try SiteCredential(row: row)
            let opened = try keys.open(try row.string("token_enc"), purpose: Self.purpose,
                                       associatedData: Self.binding(credential.provider, credential.externalID))
            return (credential, String(decoding: opened, as: UTF8.self))
        }
        let info = try await debugFacebookToken(token)
        let valid = info.isValid && info.appID == registry.entry(credential.provider)?.api?.clientID
        return try await database.write { db in
            _ = try db.execute("UPDATE site_credentials SET is_valid = ?, token_type = ?, expires_at = ?, checked_at = ? WHERE id = ?",
                               valid, info.type, info.expiresAt, now, id)
            try audit?(valid).record(now: now, in: db)
            guard let row = try db.queryOne("SELECT * FROM site_credentials WHERE id = ?", id) else { throw SiteCredentialError.notFound }
            return try SiteCredential(row: row)
        }
    }

    /// The stored token of credential `id`, masked for display.
    public func maskedToken(id: Int64) async throws -> String {
        let keys = keys
        return try await database.read { db in
            guard let row = try db.queryOne("SELECT provider, external_id, token_enc FROM site_credentials WHERE id = ?", id) else {
                throw SiteCredentialError.notFound
            }
            guard let opened = try? keys.open(try row.string("token_enc"), purpose: Self.purpose,
                                              associatedData: Self.binding(try row.string("provider"), try row.string("external_id"))) else {
                return "unreadable"
            }
            return TokenVault.mask(String(decoding: opened, as: UTF8.self))
        }
    }

    /// Deletes credential `id`; false when there was none.
    @discardableResult
    public func remove(id: Int64, actor: Int64, ip: String, now: Int) async throws -> Bool {
        try await database.write { db in
            guard let row = try db.queryOne("SELECT provider, external_id FROM site_credentials WHERE id = ?", id) else { return false }
            _ = try db.execute("DELETE FROM site_credentials WHERE id = ?", id)
            try AuditLog.record("site_credential_removed", actor: actor, target: nil,
                                detail: "\(try row.string("provider")) page \(try row.string("external_id"))", ip: ip, now: now, in: db)
            return true
        }
    }

    /// What Facebook's debug_token says about a token.
    struct TokenInfo: Sendable {
        var isValid: Bool
        var appID: String?
        var type: String?
        var expiresAt: Int?
    }

    func debugFacebookToken(_ token: String) async throws -> TokenInfo {
        guard let api = registry.entry("facebook")?.api else { throw SiteCredentialError.providerNotConfigured("Facebook") }
        let query = ClientRequest.formEncoded([("input_token", token), ("access_token", "\(api.clientID)|\(api.clientSecret)")])
        let reply = try await api.getJSON("\(FacebookSettings(registry.environment).graphBase)/debug_token?\(query)", passing: [400])
        guard let data = reply.json["data"] else { throw SiteCredentialError.invalidToken }
        let expiry = data["expires_at"]?.intValue
        return TokenInfo(isValid: data["is_valid"]?.boolValue == true, appID: data["app_id"]?.idString,
                         type: data["type"]?.stringValue, expiresAt: expiry == 0 ? nil : expiry)
    }

    /// Binds a ciphertext to its row, so a token copied onto another Page's row does not open.
    static func binding(_ provider: String, _ externalID: String) -> [UInt8] { Array("site_credential:\(provider):\(externalID)".utf8) }
}
