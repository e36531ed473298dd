import FakeAuthenticator
@testable import Security

/// The relying party and "browser" the WebAuthn tests share.
enum WebAuthnFixture {
    static let rpID = "example.org"
    static let origin = "https://example.org"
    static let userHandle: [UInt8] = Array(repeating: 0x42, count: 32)

    static func relyingParty(_ userVerification: RelyingParty.UserVerification = .preferred) -> RelyingParty {
        RelyingParty(id: rpID, name: "Latchkey", origins: [origin], userVerification: userVerification)
    }

    static func challenge() -> [UInt8] { SecureRandom.bytes(32) }

    /// An authenticator holding one credential that `relyingParty` registered, and its state.
    static func registered(_ algorithm: SoftwareAuthenticator.Algorithm = .es256, keepsCounter: Bool = true,
                           backupEligible: Bool = false) throws -> (SoftwareAuthenticator, CredentialState) {
        let authenticator = SoftwareAuthenticator(origin: origin)
        var tampering = Tampering()
        tampering.backupEligible = backupEligible
        let challenge = challenge()
        let registration = try authenticator.register(rpID: rpID, challenge: challenge, userHandle: userHandle, algorithm: algorithm,
                                                      keepsCounter: keepsCounter, tampering: tampering)
        let credential = try registration.response.verify(with: relyingParty(), expectedChallenge: challenge)
        return (authenticator, CredentialState(publicKey: credential.publicKey, signCount: credential.signCount,
                                               backupEligible: credential.backupEligible))
    }
}
