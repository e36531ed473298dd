/// The authenticator data an authenticator signs (WebAuthn §6.1): the RP ID hash, flags, the
/// signature counter, then, as the flags announce, attested credential data (at registration)
/// and extension outputs. Parsing checks the structure; `RelyingParty` checks the values.
public struct AuthenticatorData: Sendable {
    /// The flags byte.
    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// UP: a person touched or otherwise confirmed presence.
        public static let userPresent = Flags(rawValue: 0x01)
        /// UV: the authenticator verified the person (PIN, biometrics).
        public static let userVerified = Flags(rawValue: 0x04)
        /// BE: the credential may be backed up or synced (a multi-device passkey).
        public static let backupEligible = Flags(rawValue: 0x08)
        /// BS: the credential is backed up now.
        public static let backedUp = Flags(rawValue: 0x10)
        /// AT: attested credential data follows.
        public static let attestedCredentialData = Flags(rawValue: 0x40)
        /// ED: extension outputs follow.
        public static let extensionData = Flags(rawValue: 0x80)
    }

    /// The credential an authenticator created, as registration reports it (§6.5.1).
    public struct AttestedCredential: Sendable {
        /// The authenticator model's AAGUID (all zeros under `none` attestation, often).
        public let aaguid: [UInt8]
        /// The credential id, 1 to 1023 bytes.
        public let credentialID: [UInt8]
        /// The credential public key.
        public let publicKey: COSEKey
    }

    /// Longest credential id the specification allows.
    public static let maxCredentialIDLength = 1023
    static let fixedLength = 37

    /// SHA-256 of the RP ID the credential is scoped to.
    public let rpIDHash: [UInt8]
    /// The flags.
    public let flags: Flags
    /// The signature counter; 0 when the authenticator does not keep one (synced passkeys).
    public let signCount: UInt32
    /// Present exactly when the AT flag is set.
    public let attestedCredential: AttestedCredential?
    /// The extension outputs map, present exactly when the ED flag is set; not interpreted.
    public let extensions: CBORMap?
    /// The bytes as received, which the assertion signature covers.
    public let raw: [UInt8]

    /// Parses `bytes`: everything the flags announce must be there, well-formed, and nothing after it.
    public static func parse(_ bytes: [UInt8]) throws(WebAuthnError) -> AuthenticatorData {
        guard bytes.count >= fixedLength, bytes.count <= CBORDecoder.Limits().maxInputLength else {
            throw .malformedAuthenticatorData
        }
        let flags = Flags(rawValue: bytes[32])
        let signCount = bytes[33..<37].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var offset = fixedLength
        var attested: AttestedCredential?
        if flags.contains(.attestedCredentialData) {
            guard bytes.count - offset >= 18 else { throw .malformedAuthenticatorData }
            let aaguid = Array(bytes[offset..<offset + 16])
            let idLength = Int(bytes[offset + 16]) << 8 | Int(bytes[offset + 17])
            offset += 18
            guard idLength <= maxCredentialIDLength else { throw .credentialIDTooLong(idLength) }
            guard idLength > 0, bytes.count - offset >= idLength else { throw .malformedAuthenticatorData }
            let credentialID = Array(bytes[offset..<offset + idLength])
            offset += idLength
            let key: (value: CBORValue, length: Int)
            do {
                key = try CBORDecoder().decodePrefix(bytes[offset...])
            } catch {
                throw .invalidCredentialPublicKey(.malformedCBOR(error))
            }
            let publicKey: COSEKey
            do {
                publicKey = try COSEKey(key.value, encoded: Array(bytes[offset..<offset + key.length]))
            } catch {
                throw .invalidCredentialPublicKey(error)
            }
            offset += key.length
            attested = AttestedCredential(aaguid: aaguid, credentialID: credentialID, publicKey: publicKey)
        }
        var extensions: CBORMap?
        if flags.contains(.extensionData) {
            // Skipped, not read: but only past a well-formed map, so nothing can hide after it.
            guard offset < bytes.count, let decoded = try? CBORDecoder().decodePrefix(bytes[offset...]),
                  let map = decoded.value.mapValue else { throw .malformedExtensions }
            extensions = map
            offset += decoded.length
        }
        guard offset == bytes.count else { throw .trailingAuthenticatorData }
        return AuthenticatorData(rpIDHash: Array(bytes[0..<32]), flags: flags, signCount: signCount,
                                 attestedCredential: attested, extensions: extensions, raw: bytes)
    }
}
