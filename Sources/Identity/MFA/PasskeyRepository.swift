import Security
import Storage

/// A registered passkey or security key, as stored in `webauthn_credentials`.
public struct StoredPasskey: Sendable, Equatable {
    /// Our row id, for the account page's rename and delete buttons.
    public let id: Int64
    public let userID: Int64
    /// The credential id, as the authenticator made it.
    public let credentialID: [UInt8]
    /// The COSE_Key as registered.
    public let publicKey: [UInt8]
    /// Its COSE algorithm number.
    public let algorithm: Int
    /// The highest counter seen.
    public let signCount: UInt32
    public let backupEligible: Bool
    public let backedUp: Bool
    public let transports: [String]
    /// The authenticator model, if it said (hex).
    public let aaguid: String?
    /// The owner's name for it ("Phone", "YubiKey").
    public let name: String
    public let createdAt: Int
    public let lastUsedAt: Int?
    /// Sign-ins whose counter did not go up: a hint the credential may have been cloned.
    public let counterRegressions: Int
}

/// SQL for `webauthn_credentials` and `webauthn_user_handles`, in the caller's transaction.
/// Binary values are stored as base64url text, the form the browser's JSON uses.
public enum PasskeyRepository {
    /// Most credentials one account may register; enough for every device a person owns.
    public static let maxPerUser = 20
    static let columns = """
        id, user_id, credential_id, public_key, alg, sign_count, backup_eligible, backed_up, transports, aaguid, name,
        created_at, last_used_at, counter_regressions
        """

    /// Stores a credential that passed registration; nil when its id is registered already.
    public static func insert(_ credential: RegisteredCredential, userID: Int64, name: String, now: Int,
                              in db: any Connection) throws -> StoredPasskey? {
        let credentialID = Base64URL.encode(credential.id)
        guard try db.queryOne("SELECT 1 AS found FROM webauthn_credentials WHERE credential_id = ?", credentialID) == nil else { return nil }
        let id = try db.insert("""
            INSERT INTO webauthn_credentials (user_id, credential_id, public_key, alg, sign_count, backup_eligible, backed_up,
                transports, aaguid, name, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, userID, credentialID, Base64URL.encode(credential.publicKey.encoded), credential.algorithm.rawValue,
            Int64(credential.signCount), credential.backupEligible, credential.backedUp, credential.transports.joined(separator: ","),
            Hex.encode(credential.aaguid), String(name.prefix(100)), now)
        return try find(id: id, userID: userID, in: db)
    }

    /// The credential with `credentialID`, whoever owns it.
    public static func find(credentialID: [UInt8], in db: any Connection) throws -> StoredPasskey? {
        try db.queryOne("SELECT \(columns) FROM webauthn_credentials WHERE credential_id = ?", Base64URL.encode(credentialID)).map(passkey)
    }

    /// `userID`'s credential with row id `id`.
    public static func find(id: Int64, userID: Int64, in db: any Connection) throws -> StoredPasskey? {
        try db.queryOne("SELECT \(columns) FROM webauthn_credentials WHERE id = ? AND user_id = ?", id, userID).map(passkey)
    }

    /// `userID`'s credentials, oldest first.
    public static func list(userID: Int64, in db: any Connection) throws -> [StoredPasskey] {
        try db.query("SELECT \(columns) FROM webauthn_credentials WHERE user_id = ? ORDER BY created_at, id", userID).map(passkey)
    }

    /// Renames `userID`'s credential `id`; false when there is none.
    @discardableResult
    public static func rename(id: Int64, userID: Int64, to name: String, in db: any Connection) throws -> Bool {
        try db.execute("UPDATE webauthn_credentials SET name = ? WHERE id = ? AND user_id = ?", String(name.prefix(100)), id, userID) == 1
    }

    /// Deletes `userID`'s credential `id`; false when there is none.
    @discardableResult
    public static func delete(id: Int64, userID: Int64, in db: any Connection) throws -> Bool {
        try db.execute("DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?", id, userID) == 1
    }

    /// Records a verified sign-in: the counter only ever rises, and a regression is counted.
    static func recordUse(id: Int64, assertion: VerifiedAssertion, now: Int, in db: any Connection) throws {
        let regressed: Int
        if case .regressed = assertion.counter { regressed = 1 } else { regressed = 0 }
        _ = try db.execute("""
            UPDATE webauthn_credentials SET sign_count = CASE WHEN sign_count < ? THEN ? ELSE sign_count END,
                backed_up = ?, last_used_at = ?, counter_regressions = counter_regressions + ?
            WHERE id = ?
            """, Int64(assertion.signCount), Int64(assertion.signCount), assertion.backedUp, now, regressed, id)
    }

    /// `userID`'s WebAuthn user handle, made (32 random bytes) the first time it is asked for.
    public static func userHandle(for userID: Int64, now: Int, in db: any Connection) throws -> [UInt8] {
        _ = try db.execute("INSERT INTO webauthn_user_handles (user_id, handle, created_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING",
                           userID, Base64URL.encode(SecureRandom.bytes(32)), now)
        guard let handle = try db.queryOne("SELECT handle FROM webauthn_user_handles WHERE user_id = ?", userID),
              let bytes = Base64URL.decode(try handle.string("handle")) else { throw DatabaseError.noReturnedID }
        return bytes
    }

    /// The account whose user handle is `handle`.
    public static func user(forHandle handle: [UInt8], in db: any Connection) throws -> Int64? {
        try db.queryOne("SELECT user_id FROM webauthn_user_handles WHERE handle = ?", Base64URL.encode(handle))?.int64("user_id")
    }

    private static func passkey(_ row: Row) throws -> StoredPasskey {
        let transports = try row.string("transports")
        return StoredPasskey(
            id: try row.int64("id"), userID: try row.int64("user_id"),
            credentialID: Base64URL.decode(try row.string("credential_id")) ?? [],
            publicKey: Base64URL.decode(try row.string("public_key")) ?? [], algorithm: try row.int("alg"),
            signCount: UInt32(clamping: try row.int64("sign_count")), backupEligible: try row.bool("backup_eligible"),
            backedUp: try row.bool("backed_up"), transports: transports.isEmpty ? [] : transports.split(separator: ",").map(String.init),
            aaguid: try row.optionalString("aaguid"), name: try row.string("name"), createdAt: try row.int("created_at"),
            lastUsedAt: try row.optionalInt("last_used_at"), counterRegressions: try row.int("counter_regressions"))
    }
}
