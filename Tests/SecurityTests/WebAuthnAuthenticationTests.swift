import FakeAuthenticator
import Testing
@testable import Security

/// Authentication (WebAuthn §7.2) against a software authenticator: real signatures verify,
/// tampering anywhere is refused, and the signature counter rule is reported, not thrown.
@Suite struct WebAuthnAuthenticationTests {
    let relyingParty = WebAuthnFixture.relyingParty()

    func assertion(_ authenticator: SoftwareAuthenticator, _ tampering: Tampering = Tampering(),
                   challenge: [UInt8] = WebAuthnFixture.challenge()) throws -> (Assertion, [UInt8]) {
        (try authenticator.authenticate(rpID: WebAuthnFixture.rpID, challenge: challenge, tampering: tampering), challenge)
    }

    func refusal(_ tampering: Tampering, relyingParty: RelyingParty? = nil, backupEligible: Bool = false) throws -> WebAuthnError? {
        let (authenticator, state) = try WebAuthnFixture.registered(backupEligible: backupEligible)
        let (assertion, challenge) = try assertion(authenticator, tampering)
        do {
            _ = try assertion.response.verify(with: relyingParty ?? self.relyingParty, expectedChallenge: challenge, credential: state)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [SoftwareAuthenticator.Algorithm.es256, .edDSA])
    func verifiesARealSignatureAndAdvancesTheCounter(algorithm: SoftwareAuthenticator.Algorithm) throws {
        let (authenticator, state) = try WebAuthnFixture.registered(algorithm)
        let (assertion, challenge) = try assertion(authenticator)
        let parsed = try AuthenticationResponse(json: assertion.json)
        #expect(parsed.userHandle == WebAuthnFixture.userHandle)
        let verified = try parsed.verify(with: relyingParty, expectedChallenge: challenge, credential: state)
        #expect(verified == VerifiedAssertion(signCount: 1, counter: .advanced(to: 1), userVerified: true, backedUp: false))
    }

    @Test func refusesASignatureByAnotherKeyOrTamperedClientData() throws {
        var otherKey = Tampering()
        otherKey.signWithAnotherKey = true
        #expect(try refusal(otherKey) == .signatureInvalid)
        var tampered = Tampering()
        tampered.clientDataAfterSigning = { Array($0.dropLast()) + Array(",\"extra\":true}".utf8) }
        #expect(try refusal(tampered) == .signatureInvalid, "a change that still parses breaks the signature")
    }

    @Test func refusesTheWrongOriginTypeRPOrChallenge() throws {
        var origin = Tampering()
        origin.origin = "http://example.org"
        #expect(try refusal(origin) == .originNotAllowed("http://example.org"))
        var type = Tampering()
        type.type = "webauthn.create"
        #expect(try refusal(type) == .wrongCeremonyType("webauthn.create"))
        var rpID = Tampering()
        rpID.rpID = "example.com"
        #expect(try refusal(rpID) == .rpIDHashMismatch)
        var replayed = Tampering()
        replayed.challenge = WebAuthnFixture.challenge()
        #expect(try refusal(replayed) == .challengeMismatch)
    }

    @Test func enforcesPresenceVerificationAndBackupEligibility() throws {
        var absent = Tampering()
        absent.userPresent = false
        #expect(try refusal(absent) == .userNotPresent)
        var unverified = Tampering()
        unverified.userVerified = false
        #expect(try refusal(unverified, relyingParty: WebAuthnFixture.relyingParty(.required)) == .userNotVerified)
        #expect(try refusal(unverified) == nil)
        var nowEligible = Tampering()
        nowEligible.backupEligible = true
        #expect(try refusal(nowEligible) == .backupEligibilityChanged)
        #expect(try refusal(Tampering(), backupEligible: true) == .backupEligibilityChanged, "BE cannot be dropped either")
    }

    @Test func aCounterThatDoesNotRiseIsReportedNotRefused() throws {
        let (authenticator, registered) = try WebAuthnFixture.registered()
        let state = CredentialState(publicKey: registered.publicKey, signCount: 5, backupEligible: false)
        var backwards = Tampering()
        backwards.signCount = 3
        let (assertion, challenge) = try assertion(authenticator, backwards)
        let verified = try assertion.response.verify(with: relyingParty, expectedChallenge: challenge, credential: state)
        #expect(verified.counter == .regressed(stored: 5, received: 3))
        var same = Tampering()
        same.signCount = 5
        let (repeated, second) = try self.assertion(authenticator, same)
        #expect(try repeated.response.verify(with: relyingParty, expectedChallenge: second, credential: state).counter
            == .regressed(stored: 5, received: 5))
    }

    @Test func syncedPasskeysWithoutACounterAreFine() throws {
        let (authenticator, state) = try WebAuthnFixture.registered(keepsCounter: false)
        for _ in 0..<3 {
            let (assertion, challenge) = try assertion(authenticator)
            #expect(try assertion.response.verify(with: relyingParty, expectedChallenge: challenge, credential: state).counter == .notKept)
        }
    }

    @Test func signCounterRule() {
        #expect(SignCounter.check(stored: 0, received: 0) == .notKept)
        #expect(SignCounter.check(stored: 0, received: 1) == .advanced(to: 1))
        #expect(SignCounter.check(stored: 7, received: 8) == .advanced(to: 8))
        #expect(SignCounter.check(stored: 7, received: 7) == .regressed(stored: 7, received: 7))
        #expect(SignCounter.check(stored: 7, received: 0) == .regressed(stored: 7, received: 0))
    }

    @Test func refusesMalformedAuthenticatorDataAndResponses() throws {
        let (authenticator, state) = try WebAuthnFixture.registered()
        let (assertion, challenge) = try assertion(authenticator)
        #expect(throws: WebAuthnError.malformedAuthenticatorData) {
            try relyingParty.verifyAuthentication(clientDataJSON: assertion.clientDataJSON, authenticatorData: Array(assertion.authenticatorData.prefix(36)),
                                                  signature: assertion.signature, expectedChallenge: challenge, credential: state)
        }
        // AT announced with nothing after it.
        var announced = assertion.authenticatorData
        announced[32] |= 0x40
        #expect(throws: WebAuthnError.malformedAuthenticatorData) {
            try relyingParty.verifyAuthentication(clientDataJSON: assertion.clientDataJSON, authenticatorData: announced,
                                                  signature: assertion.signature, expectedChallenge: challenge, credential: state)
        }
        #expect(throws: WebAuthnError.malformedResponse(field: "signature")) {
            try AuthenticationResponse(json: Array(#"{"type":"public-key","rawId":"AQID","response":{"clientDataJSON":"e30","authenticatorData":"AA"}}"#.utf8))
        }
        #expect(throws: WebAuthnError.malformedResponse(field: "rawId")) {
            try AuthenticationResponse(json: Array(#"{"type":"public-key","rawId":"not base64!","response":{}}"#.utf8))
        }
    }
}
