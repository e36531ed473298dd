import Runtime
import Security
import Storage

/// The RS256 keys that sign id_tokens. The first start generates one; it is kept in the
/// provider's database as PKCS#8 PEM sealed with the key ring (AES-256-GCM under the secret
/// key), so a copy of the database alone cannot forge tokens. Every stored key is published in
/// the JWK Set; the oldest signs, so instances that raced at first start agree once restarted.
public struct SigningKeys: Sendable {
    /// The key that signs, and its `kid` (the RFC 7638 thumbprint).
    public let active: RSAPrivateKey
    /// The active key's `kid`.
    public let activeKeyID: String
    /// What `/.well-known/jwks.json` serves.
    public let published: JWKSet

    /// Why the keys could not be loaded.
    public enum LoadError: Error, CustomStringConvertible {
        /// A stored key does not open under the configured secret: `SECRET_KEY` changed
        /// without the old one in the fallbacks, or the row was tampered with.
        case cannotOpen(kid: String)
        case generationFailed

        public var description: String {
            switch self {
            case .cannotOpen(let kid):
                "the id_token signing key \(kid) cannot be decrypted with the configured secret key "
                    + "(was PROVIDER_SECRET_KEY/SECRET_KEY changed? put the old one in PROVIDER_SECRET_KEY_FALLBACKS)"
            case .generationFailed:
                "could not generate an RSA signing key"
            }
        }
    }

    static let purpose = "provider.signing-key"

    /// Loads the stored keys, generating and storing one when there are none.
    static func load(database: any Database, keys: KeyRing, now: Int) async throws -> SigningKeys {
        var rows = try await stored(database)
        if rows.isEmpty {
            let key: RSAPrivateKey
            do { key = try await blocking { try RSAPrivateKey.generate(bits: 2048) } } catch { throw LoadError.generationFailed }
            let kid = key.publicKey.thumbprint
            let sealed = keys.seal(key.pem, purpose: purpose, associatedData: Array(kid.utf8))
            _ = try await database.write { db in
                try db.execute("INSERT INTO signing_keys (kid, private_key_enc, created_at) VALUES (?, ?, ?)", kid, sealed, now)
            }
            rows = try await stored(database)
        }
        var opened: [(kid: String, key: RSAPrivateKey)] = []
        for (kid, sealed) in rows {
            guard let pem = try? keys.openString(sealed, purpose: purpose, associatedData: Array(kid.utf8)),
                  let key = try? RSAPrivateKey(pem: pem), key.publicKey.thumbprint == kid else {
                throw LoadError.cannotOpen(kid: kid)
            }
            opened.append((kid, key))
        }
        return SigningKeys(active: opened[0].key, activeKeyID: opened[0].kid,
                           published: JWKSet(keys: opened.map { $0.key.publicKey.jwk(kid: $0.kid) }))
    }

    private static func stored(_ database: any Database) async throws -> [(String, String)] {
        try await database.read { db in
            try db.query("SELECT kid, private_key_enc FROM signing_keys ORDER BY created_at, kid").map {
                (try $0.string("kid"), try $0.string("private_key_enc"))
            }
        }
    }
}
