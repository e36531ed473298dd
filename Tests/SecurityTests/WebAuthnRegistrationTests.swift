import FakeAuthenticator
import Foundation
import Testing
@testable import Security

/// Registration (WebAuthn §7.1) against a software authenticator: `none` attestation passes,
/// and every tampered or hostile response is refused with the step it failed.
@Suite struct WebAuthnRegistrationTests {
    let relyingParty = WebAuthnFixture.relyingParty()
    let authenticator = SoftwareAuthenticator(origin: WebAuthnFixture.origin)

    func register(_ tampering: Tampering = Tampering(), algorithm: SoftwareAuthenticator.Algorithm = .es256,
                  relyingParty: RelyingParty? = nil) throws -> RegisteredCredential {
        let challenge = WebAuthnFixture.challenge()
        let registration = try authenticator.register(rpID: WebAuthnFixture.rpID, challenge: challenge,
                                                      userHandle: WebAuthnFixture.userHandle, algorithm: algorithm, tampering: tampering)
        return try RegistrationResponse(json: registration.json).verify(with: relyingParty ?? self.relyingParty, expectedChallenge: challenge)
    }

    func refusal(_ tampering: Tampering, relyingParty: RelyingParty? = nil) -> WebAuthnError? {
        do {
            _ = try register(tampering, relyingParty: relyingParty)
            return nil
        } catch let error as WebAuthnError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test(arguments: [SoftwareAuthenticator.Algorithm.es256, .edDSA])
    func acceptsNoneAttestationAndReturnsTheCredential(algorithm: SoftwareAuthenticator.Algorithm) throws {
        let credential = try register(algorithm: algorithm)
        #expect(credential.id == authenticator.credentials.last?.id)
        #expect(credential.algorithm == (algorithm == .es256 ? .es256 : .edDSA))
        #expect(credential.signCount == 0)
        #expect(credential.userVerified && !credential.backupEligible && !credential.backedUp)
        #expect(credential.transports == ["internal", "hybrid"])
        #expect(credential.aaguid == [UInt8](repeating: 0, count: 16))
        #expect(try COSEKey(encoded: credential.publicKey.encoded).algorithm == credential.algorithm, "the stored bytes parse again")
    }

    @Test func reportsBackupFlagsOfSyncedPasskeys() throws {
        var tampering = Tampering()
        tampering.backupEligible = true
        tampering.backedUp = true
        let credential = try register(tampering)
        #expect(credential.backupEligible && credential.backedUp)
    }

    @Test func refusesTheWrongOriginTypeChallengeOrFraming() {
        var origin = Tampering()
        origin.origin = "https://example.org.evil.test"
        #expect(refusal(origin) == .originNotAllowed("https://example.org.evil.test"))
        var type = Tampering()
        type.type = "webauthn.get"
        #expect(refusal(type) == .wrongCeremonyType("webauthn.get"))
        var challenge = Tampering()
        challenge.challenge = WebAuthnFixture.challenge()
        #expect(refusal(challenge) == .challengeMismatch)
        var framed = Tampering()
        framed.crossOrigin = true
        #expect(refusal(framed) == .crossOriginNotAllowed)
    }

    @Test func refusesAnotherRPIDAndMissingPresenceOrVerification() {
        var rpID = Tampering()
        rpID.rpID = "evil.test"
        #expect(refusal(rpID) == .rpIDHashMismatch)
        var absent = Tampering()
        absent.userPresent = false
        #expect(refusal(absent) == .userNotPresent)
        var unverified = Tampering()
        unverified.userVerified = false
        #expect(refusal(unverified, relyingParty: WebAuthnFixture.relyingParty(.required)) == .userNotVerified)
        #expect(refusal(unverified) == nil, "verification is only preferred by default")
        var incoherent = Tampering()
        incoherent.backedUp = true
        #expect(refusal(incoherent) == .backupStateWithoutEligibility)
    }

    @Test func refusesAttestationFormatsWeDoNotVerify() {
        var packed = Tampering()
        packed.attestationFormat = "packed"
        packed.attestationStatement = CBORMap([(.text("alg"), .int(-7)), (.text("sig"), .bytes([1, 2, 3]))])
        #expect(refusal(packed) == .unsupportedAttestationFormat("packed"))
        var noneWithStatement = Tampering()
        noneWithStatement.attestationStatement = CBORMap([(.text("x5c"), .array([]))])
        #expect(refusal(noneWithStatement) == .nonEmptyNoneAttestationStatement)
    }

    @Test func refusesMalformedAuthenticatorData() {
        var longID = Tampering()
        longID.credentialIDLength = 1024
        #expect(refusal(longID) == .credentialIDTooLong(1024))
        var badExtensions = Tampering()
        badExtensions.extensions = [0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0]
        #expect(refusal(badExtensions) == .malformedExtensions)
        var notAMap = Tampering()
        notAMap.extensions = [0x80]
        #expect(refusal(notAMap) == .malformedExtensions)
        var trailing = Tampering()
        trailing.trailingBytes = [0x00]
        #expect(refusal(trailing) == .trailingAuthenticatorData)
        var goodExtensions = Tampering()
        goodExtensions.extensions = CBORValue.map(CBORMap([(.text("credProtect"), .int(2))])).encoded
        #expect(refusal(goodExtensions) == nil, "well-formed extension outputs are skipped")
    }

    @Test func refusesHostileCredentialPublicKeys() {
        var deep = Tampering()
        deep.credentialPublicKey = [UInt8](repeating: 0x81, count: 40) + [0x00]
        #expect(refusal(deep) == .invalidCredentialPublicKey(.malformedCBOR(.tooDeep(at: 16))))
        var huge = Tampering()
        huge.credentialPublicKey = [0xA1, 0x01, 0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0]
        #expect(refusal(huge) == .invalidCredentialPublicKey(.malformedCBOR(.lengthExceedsInput(at: 2))))
        var es384 = Tampering()
        es384.credentialPublicKey = CBORValue.map(CBORMap([(.int(1), .int(2)), (.int(3), .int(-35))])).encoded
        #expect(refusal(es384) == .invalidCredentialPublicKey(.unsupportedAlgorithm(-35)))
    }

    @Test func refusesHostileAttestationObjectsAndJSON() throws {
        let challenge = WebAuthnFixture.challenge()
        let registration = try authenticator.register(rpID: WebAuthnFixture.rpID, challenge: challenge, userHandle: WebAuthnFixture.userHandle)
        func verify(attestationObject: [UInt8]) -> WebAuthnError? {
            do {
                _ = try relyingParty.verifyRegistration(clientDataJSON: registration.clientDataJSON, attestationObject: attestationObject,
                                                        expectedChallenge: challenge)
                return nil
            } catch {
                return error
            }
        }
        #expect(verify(attestationObject: [UInt8](repeating: 0xA1, count: 5000)) == .attestationObjectCBOR(.tooDeep(at: 16)))
        #expect(verify(attestationObject: [0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == .attestationObjectCBOR(.lengthExceedsInput(at: 0)))
        #expect(verify(attestationObject: Array(registration.attestationObject.dropLast())) == .attestationObjectCBOR(.lengthExceedsInput(at: 28)))
        #expect(verify(attestationObject: CBORValue.map(CBORMap([(.text("fmt"), .text("none"))])).encoded) == .malformedAttestationObject)

        let mismatched = RegistrationResponse(credentialID: [1, 2, 3], clientDataJSON: registration.clientDataJSON,
                                              attestationObject: registration.attestationObject)
        #expect(throws: WebAuthnError.credentialIDMismatch) { try mismatched.verify(with: relyingParty, expectedChallenge: challenge) }
        #expect(throws: WebAuthnError.malformedClientData) {
            try relyingParty.verifyRegistration(clientDataJSON: Array("not json".utf8), attestationObject: registration.attestationObject,
                                                expectedChallenge: challenge)
        }
        #expect(throws: WebAuthnError.malformedResponse(field: "credential")) { try RegistrationResponse(json: Array("[]".utf8)) }
        #expect(throws: WebAuthnError.malformedResponse(field: "type")) { try RegistrationResponse(json: Array("{\"type\":\"x\"}".utf8)) }
        #expect(throws: WebAuthnError.malformedResponse(field: "attestationObject")) {
            try RegistrationResponse(json: Array(#"{"type":"public-key","id":"AQID","response":{"clientDataJSON":"e30"}}"#.utf8))
        }
        #expect(throws: WebAuthnError.malformedResponse(field: "id")) {
            try RegistrationResponse(json: Array(#"{"type":"public-key","id":"AQID","rawId":"AQIE","response":{}}"#.utf8))
        }
    }

    @Test func creationOptionsCarryWhatTheBrowserNeeds() throws {
        let challenge = WebAuthnFixture.challenge()
        let options = relyingParty.creationOptions(challenge: challenge, userHandle: WebAuthnFixture.userHandle, userName: "ada",
                                                   displayName: "Ada Lovelace", exclude: [.init(id: [9, 9], transports: ["usb"])])
        let object = try #require(options.objectValue)
        #expect(object["challenge"] == .string(Base64URL.encode(challenge)))
        #expect(object["rp"] == ["id": "example.org", "name": "Latchkey"])
        #expect(object["user"]?.objectValue?["id"] == .string(Base64URL.encode(WebAuthnFixture.userHandle)))
        #expect(object["pubKeyCredParams"]?.arrayValue?.compactMap { $0.objectValue?["alg"]?.intValue } == [-7, -8, -257])
        #expect(object["attestation"] == "none")
        #expect(object["excludeCredentials"] == [["type": "public-key", "id": "CQk", "transports": ["usb"]]])
        let request = try #require(relyingParty.requestOptions(challenge: challenge).objectValue)
        #expect(request["rpId"] == "example.org" && request["allowCredentials"] == [])
    }
}
