import Foundation
import Security

/// What a test wants the authenticator (or the "browser" in front of it) to get wrong. The
/// default changes nothing: present and verified, the right origin, type, RP and challenge.
public struct Tampering: Sendable {
    /// Report this origin instead of the real one.
    public var origin: String?
    /// Report this ceremony type instead of `webauthn.create` / `webauthn.get`.
    public var type: String?
    /// Sign over this challenge instead of the one asked for (a replayed or made-up challenge).
    public var challenge: [UInt8]?
    /// Report `crossOrigin: true`.
    public var crossOrigin = false
    /// Scope the authenticator data to this RP ID instead of the real one.
    public var rpID: String?
    /// Report this counter instead of the credential's own.
    public var signCount: UInt32?
    /// Set UP.
    public var userPresent = true
    /// Set UV.
    public var userVerified = true
    /// Set BE and BS.
    public var backupEligible = false
    public var backedUp = false
    /// Sign with a fresh key that is not the credential's.
    public var signWithAnotherKey = false
    /// Change the client data after it was signed.
    public var clientDataAfterSigning: (@Sendable ([UInt8]) -> [UInt8])?
    /// Send no user handle.
    public var omitUserHandle = false
    /// Send this user handle instead of the credential's.
    public var userHandle: [UInt8]?
    /// Registration: attest in this format, with this statement.
    public var attestationFormat: String?
    public var attestationStatement: CBORMap?
    /// Registration: embed these bytes as the credential public key.
    public var credentialPublicKey: [UInt8]?
    /// Registration: make a credential id of this length.
    public var credentialIDLength: Int?
    /// Set ED and append these bytes as the extension outputs.
    public var extensions: [UInt8]?
    /// Append these bytes to the authenticator data, after everything.
    public var trailingBytes: [UInt8] = []

    /// No tampering.
    public init() {}

    func clientData(type realType: String, challenge realChallenge: [UInt8], origin realOrigin: String) -> [UInt8] {
        // The member order browsers use; the challenge as base64url without padding.
        let json = "{\"type\":\(Self.quoted(type ?? realType)),\"challenge\":\(Self.quoted(Base64URL.encode(challenge ?? realChallenge))),"
            + "\"origin\":\(Self.quoted(origin ?? realOrigin)),\"crossOrigin\":\(crossOrigin)}"
        return Array(json.utf8)
    }

    func authenticatorData(rpID realRPID: String, flags base: UInt8, signCount realCount: UInt32, attested: [UInt8]) -> [UInt8] {
        var flags = base
        if userPresent { flags |= 0x01 }
        if userVerified { flags |= 0x04 }
        if backupEligible { flags |= 0x08 }
        if backedUp { flags |= 0x10 }
        if extensions != nil { flags |= 0x80 }
        let count = signCount ?? realCount
        var data = SHA256.hash(rpID ?? realRPID) + [flags]
        data += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        return data + attested + (extensions ?? []) + trailingBytes
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
