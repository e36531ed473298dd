import Foundation
import Security

/// A WebAuthn authenticator in software, standing in for the browser and the security key in
/// tests: it makes real P-256 or Ed25519 credentials through OpenSSL and answers registrations
/// (`none` attestation) and sign-ins exactly as a browser's `PublicKeyCredential.toJSON()` would,
/// unless a `Tampering` says otherwise. One test drives it at a time (its counters are plain
/// state), hence `@unchecked Sendable`.
public final class SoftwareAuthenticator: @unchecked Sendable {
    /// The credential algorithms it can make.
    public enum Algorithm: Sendable {
        case es256, edDSA
    }

    /// One credential it holds.
    public struct Credential: Sendable {
        public let id: [UInt8]
        public let rpID: String
        public let userHandle: [UInt8]
        let key: SigningKey
        /// The counter of the next assertion is this plus one (unless the credential keeps none).
        public internal(set) var signCount: UInt32
        /// Synced passkeys report 0 for ever.
        public let keepsCounter: Bool
    }

    enum SigningKey: @unchecked Sendable {
        case p256(P256PrivateKey)
        case ed25519(Ed25519PrivateKey)

        var coseKey: [UInt8] {
            switch self {
            case .p256(let key): COSEKey.encodeP256(x: key.x, y: key.y)
            case .ed25519(let key): COSEKey.encodeEd25519(key.publicKey)
            }
        }

        func sign(_ message: [UInt8]) throws -> [UInt8] {
            switch self {
            case .p256(let key): try key.signES256(message)
            case .ed25519(let key): try key.sign(message)
            }
        }
    }

    /// The origin the "browser" reports.
    public let origin: String
    /// The AAGUID it attests with (zeros, as most authenticators do under `none`).
    public var aaguid = [UInt8](repeating: 0, count: 16)
    /// Its credentials, in creation order.
    public private(set) var credentials: [Credential] = []

    /// An authenticator behind a browser on `origin`.
    public init(origin: String) {
        self.origin = origin
    }

    /// Creates a credential for `rpID` and answers the registration ceremony for `challenge`.
    public func register(rpID: String, challenge: [UInt8], userHandle: [UInt8], algorithm: Algorithm = .es256,
                         keepsCounter: Bool = true, tampering: Tampering = Tampering()) throws -> Registration {
        let key: SigningKey = switch algorithm {
        case .es256: .p256(try P256PrivateKey.generate())
        case .edDSA: .ed25519(try Ed25519PrivateKey.generate())
        }
        let id = SecureRandom.bytes(tampering.credentialIDLength ?? 32)
        let credential = Credential(id: id, rpID: rpID, userHandle: userHandle, key: key, signCount: 0, keepsCounter: keepsCounter)
        let clientData = tampering.clientData(type: "webauthn.create", challenge: challenge, origin: origin)
        var attested = aaguid + [UInt8(id.count >> 8), UInt8(id.count & 0xFF)] + id
        attested += tampering.credentialPublicKey ?? key.coseKey
        let authenticatorData = tampering.authenticatorData(rpID: rpID, flags: 0x40, signCount: 0, attested: attested)
        let statement = tampering.attestationStatement ?? CBORMap()
        let attestationObject = CBORValue.map(CBORMap([
            (.text("fmt"), .text(tampering.attestationFormat ?? "none")),
            (.text("attStmt"), .map(statement)),
            (.text("authData"), .bytes(authenticatorData)),
        ])).encoded
        credentials.append(credential)
        return Registration(credentialID: id, clientDataJSON: clientData, attestationObject: attestationObject,
                            transports: ["internal", "hybrid"])
    }

    /// Answers a sign-in for `rpID` and `challenge` with `credentialID` (default: the newest credential).
    public func authenticate(rpID: String, challenge: [UInt8], credentialID: [UInt8]? = nil,
                             tampering: Tampering = Tampering()) throws -> Assertion {
        let found = credentialID.map { id in credentials.lastIndex { $0.id == id } } ?? credentials.indices.last
        guard let index = found else { throw FakeAuthenticatorError.noCredential }
        var credential = credentials[index]
        if credential.keepsCounter { credential.signCount += 1 }
        credentials[index] = credential
        let clientData = tampering.clientData(type: "webauthn.get", challenge: challenge, origin: origin)
        let authenticatorData = tampering.authenticatorData(rpID: rpID, flags: 0, signCount: credential.signCount, attested: [])
        let signer = tampering.signWithAnotherKey ? SigningKey.p256(try P256PrivateKey.generate()) : credential.key
        let signature = try signer.sign(authenticatorData + SHA256.hash(clientData))
        let sentClientData = tampering.clientDataAfterSigning.map { $0(clientData) } ?? clientData
        return Assertion(credentialID: credential.id, clientDataJSON: sentClientData, authenticatorData: authenticatorData,
                         signature: signature, userHandle: tampering.omitUserHandle ? nil : (tampering.userHandle ?? credential.userHandle))
    }
}

/// The test authenticator could not answer.
public enum FakeAuthenticatorError: Error {
    /// It holds no (such) credential.
    case noCredential
}
