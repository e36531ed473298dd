import Storage

/// SQL for the `clients` table.
enum ClientRepository {
    static let columns = "client_id, name, redirect_uris, grant_types, scopes, confidential, skip_consent, resource_server, require_pkce, require_par, access_token_format, created_at, revision"

    static func find(clientID: String, in db: any Connection) throws -> Client? {
        try db.queryOne("SELECT \(columns) FROM clients WHERE client_id = ?", clientID).map(Client.init)
    }

    /// The client and its secret's hash (nil for public clients), for authentication only.
    static func credentials(clientID: String, in db: any Connection) throws -> (Client, String?)? {
        guard let row = try db.queryOne("SELECT \(columns), secret_hash FROM clients WHERE client_id = ?", clientID) else { return nil }
        return (try Client(row: row), try row.optionalString("secret_hash"))
    }

    static func all(in db: any Connection) throws -> [Client] {
        try db.query("SELECT \(columns) FROM clients ORDER BY created_at, name").map(Client.init)
    }

    static func insert(clientID: String, secretHash: String?, registrationTokenHash: String? = nil, _ new: NewClient, now: Int,
                       in db: any Connection) throws {
        _ = try db.execute("""
            INSERT INTO clients (client_id, secret_hash, name, redirect_uris, grant_types, scopes, confidential, skip_consent,
                                 resource_server, require_pkce, require_par, access_token_format, created_at, registration_token_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, clientID, secretHash, new.name, new.redirectURIs.joined(separator: " "),
            new.grantTypes.sorted().map(\.rawValue).joined(separator: " "), new.scopes.description,
            new.isConfidential, new.skipsConsent, new.isResourceServer, new.requiresPKCE, new.requiresPushedRequests,
            new.accessTokenFormat.rawValue, now, registrationTokenHash)
    }

    /// A dynamically registered client's new metadata (RFC 7592 §2.2); its kind and secret stay.
    static func update(clientID: String, _ new: NewClient, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE clients SET name = ?, redirect_uris = ?, grant_types = ?, scopes = ?, revision = revision + 1 WHERE client_id = ?",
                       new.name, new.redirectURIs.joined(separator: " "), new.grantTypes.sorted().map(\.rawValue).joined(separator: " "),
                       new.scopes.description, clientID) > 0
    }

    static func registrationTokenHash(clientID: String, in db: any Connection) throws -> String? {
        try db.queryOne("SELECT registration_token_hash FROM clients WHERE client_id = ?", clientID)?.optionalString("registration_token_hash")
    }

    static func set(_ setting: Client.Setting, to value: Bool, clientID: String, in db: any Connection) throws -> Bool {
        // The column name comes from the enum, never from input.
        try db.execute("UPDATE clients SET \(setting.rawValue) = ?, revision = revision + 1 WHERE client_id = ?", value, clientID) > 0
    }

    /// Whether `client` is still what is stored: same revision, not deleted. Every statement that
    /// changes a client's row raises its revision.
    static func isCurrent(_ client: Client, in db: any Connection) throws -> Bool {
        // On PostgreSQL other writers run beside this transaction: the key-share lock keeps the
        // row (and so the foreign key the token about to be inserted needs) until we commit, and
        // waits out a removal already under way, after which the row is gone and we refuse. On
        // SQLite the single writer already holds the whole database.
        let lock = db.dialect == .postgres ? " FOR KEY SHARE" : ""
        return try db.queryOne("SELECT revision FROM clients WHERE client_id = ?" + lock, client.clientID)?.int64("revision")
            == client.revision
    }

    /// Deletes a client; its codes, tokens and consents go with it (ON DELETE CASCADE).
    static func delete(clientID: String, in db: any Connection) throws -> Bool {
        try db.execute("DELETE FROM clients WHERE client_id = ?", clientID) > 0
    }
}
