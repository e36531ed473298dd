/// Application secrets, with rotation: per-purpose subkeys and AES-256-GCM sealed tokens.
///
/// The primary secret seals and signs; fallback secrets (previous primaries) only open and
/// verify, so a secret can be rotated without logging everyone out or losing encrypted data.
/// Tokens look like `v1.<key id>.<base64url(nonce | ciphertext | tag)>`.
public struct KeyRing: Sendable {
    /// One secret and the public id that tokens sealed under it carry.
    struct Secret: Sendable {
        let material: [UInt8]
        /// First 4 bytes (hex) of SHA-256 of a subkey reserved for naming the secret, so the id
        /// names the secret, reveals nothing about it, and is the same for every purpose.
        let id: String

        init(_ secret: String) {
            material = Array(secret.utf8)
            id = Hex.encode(SHA256.hash(KeyRing.derive(material, info: "latchkey key id")).prefix(4))
        }
    }

    /// Longest token `open` will look at; provider tokens are a few kilobytes at most.
    public static let maxTokenLength = 1 << 20

    private static let salt = Array("latchkey.keyring.v1".utf8)
    private static let version = "v1"

    private let primary: Secret
    private let fallbacks: [Secret]

    /// A key ring that seals with `secret` and still opens what `fallbacks` sealed.
    public init(secret: String, fallbacks: [String] = []) {
        primary = Secret(secret)
        self.fallbacks = fallbacks.map(Secret.init)
    }

    /// The id of the primary secret, as it appears in new tokens.
    public var keyID: String { primary.id }

    /// A 32-byte subkey of the primary secret for `purpose`; deterministic, independent per purpose.
    public func key(for purpose: String) -> [UInt8] {
        Self.derive(primary.material, info: "latchkey purpose:" + purpose)
    }

    /// A signer for `purpose` that signs with the primary secret and accepts the fallbacks.
    ///
    /// Deriving keys costs a few microseconds: build signers once, not per request.
    public func signer(for purpose: String) -> Signer {
        Signer(key: key(for: purpose),
               fallbacks: fallbacks.map { Self.derive($0.material, info: "latchkey purpose:" + purpose) })
    }

    /// Encrypts and authenticates `plaintext` for `purpose` under the primary secret, fresh nonce each time.
    public func seal(_ plaintext: [UInt8], purpose: String, associatedData: [UInt8] = []) -> String {
        let nonce = SecureRandom.bytes(AESGCM.nonceLength)
        let sealed = AESGCM.seal(key: key(for: purpose), nonce: nonce, plaintext: plaintext,
                                 associatedData: associatedData)
        return "\(Self.version).\(primary.id).\(Base64URL.encode(nonce + sealed))"
    }

    /// Decrypts a token from `seal`, trying every secret whose id matches the token's.
    public func open(_ token: String, purpose: String, associatedData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        guard let parsed = Self.parse(token) else { throw .malformed }
        let candidates = ([primary] + fallbacks).filter { $0.id == parsed.keyID }
        guard !candidates.isEmpty else { throw .unknownKey }
        let nonce = Array(parsed.payload.prefix(AESGCM.nonceLength))
        let sealed = parsed.payload.dropFirst(AESGCM.nonceLength)
        for secret in candidates {
            let key = Self.derive(secret.material, info: "latchkey purpose:" + purpose)
            if let plaintext = AESGCM.open(key: key, nonce: nonce, sealed: sealed, associatedData: associatedData) {
                return plaintext
            }
        }
        throw .authenticationFailed
    }

    /// True when `token` was sealed under a fallback secret and should be sealed again with the primary.
    public func needsReseal(_ token: String) -> Bool {
        guard let parsed = Self.parse(token), parsed.keyID != primary.id else { return false }
        return fallbacks.contains { $0.id == parsed.keyID }
    }

    private static func parse(_ token: String) -> (keyID: Substring, payload: [UInt8])? {
        guard token.utf8.count <= maxTokenLength else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == version, parts[1].utf8.count == 8,
              let payload = Base64URL.decode(parts[2]),
              payload.count >= AESGCM.nonceLength + AESGCM.tagLength else { return nil }
        return (parts[1], payload)
    }

    fileprivate static func derive(_ material: [UInt8], info: String) -> [UInt8] {
        HKDF.sha256(ikm: material, salt: salt, info: Array(info.utf8), length: 32)
    }
}
