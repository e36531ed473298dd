import FakeAuthenticator
import Foundation
@testable import Identity
import Security
import Storage
import Testing

/// Passkey ceremonies with the database: challenges are single-use and short-lived, credentials
/// belong to one account, a refusal still burns its challenge, and counters are recorded.
@Suite struct PasskeyTests {
    static let relyingParty = RelyingParty(id: "example.org", name: "Latchkey", origins: ["https://example.org"])

    struct World {
        let passkeys: Passkeys
        let database: any Database
        let clock: TestClock
        let ada: Int64
        let bob: Int64
        let authenticator = SoftwareAuthenticator(origin: "https://example.org")
    }

    func world() async throws -> World {
        let database = try await TestDatabase.make()
        let clock = TestClock()
        return World(passkeys: Passkeys(database: database, relyingParty: Self.relyingParty, clock: clock.clock), database: database,
                     clock: clock, ada: try await TestDatabase.addUser("ada", hash: nil, in: database),
                     bob: try await TestDatabase.addUser("bob", hash: nil, in: database))
    }

    /// Registers a passkey for `userID` the way a page would: options out, browser JSON back.
    @discardableResult
    func register(_ world: World, userID: Int64, algorithm: SoftwareAuthenticator.Algorithm = .es256,
                  keepsCounter: Bool = true) async throws -> StoredPasskey {
        let start = try await world.passkeys.beginRegistration(userID: userID, userName: "ada", displayName: "Ada")
        let handle = try #require(start.options.objectValue?["user"]?.objectValue?["id"]?.stringValue.flatMap(Base64URL.decode))
        let registration = try world.authenticator.register(rpID: "example.org", challenge: start.challenge, userHandle: handle,
                                                            algorithm: algorithm, keepsCounter: keepsCounter)
        return try await world.passkeys.finishRegistration(userID: userID, response: RegistrationResponse(json: registration.json),
                                                           name: "Laptop")
    }

    func signIn(_ world: World, userID: Int64?, _ tampering: Tampering = Tampering()) async throws -> Passkeys.SignIn {
        let start = try await world.passkeys.beginAuthentication(userID: userID)
        let assertion = try world.authenticator.authenticate(rpID: "example.org", challenge: start.challenge, tampering: tampering)
        return try await world.passkeys.finishAuthentication(AuthenticationResponse(json: assertion.json))
    }

    @Test(arguments: [SoftwareAuthenticator.Algorithm.es256, .edDSA])
    func registersAPasskeyAndSignsInWithIt(algorithm: SoftwareAuthenticator.Algorithm) async throws {
        let world = try await world()
        let stored = try await register(world, userID: world.ada, algorithm: algorithm)
        #expect(stored.userID == world.ada && stored.name == "Laptop" && stored.signCount == 0)
        #expect(stored.algorithm == (algorithm == .es256 ? -7 : -8))
        #expect(stored.transports == ["internal", "hybrid"] && stored.lastUsedAt == nil)

        let again = try await world.passkeys.beginRegistration(userID: world.ada, userName: "ada", displayName: "Ada")
        #expect(again.options.objectValue?["excludeCredentials"]?.arrayValue?.count == 1, "the same authenticator is not registered twice")
        let start = try await world.passkeys.beginAuthentication(userID: world.ada)
        #expect(start.options.objectValue?["allowCredentials"]?.arrayValue?.first?.objectValue?["id"]
            == .string(Base64URL.encode(stored.credentialID)))

        world.clock.advance(60)
        let signIn = try await signIn(world, userID: world.ada)
        #expect(signIn.userID == world.ada && signIn.passkey.id == stored.id)
        #expect(signIn.assertion.counter == .advanced(to: 1))
        let after = try await world.database.read { db in try PasskeyRepository.find(id: stored.id, userID: world.ada, in: db) }
        #expect(after?.signCount == 1 && after?.lastUsedAt == world.clock.clock.now() && after?.counterRegressions == 0)
    }

    @Test func signsInWithoutAUsernameThroughTheUserHandle() async throws {
        let world = try await world()
        try await register(world, userID: world.ada)
        #expect(try await signIn(world, userID: nil).userID == world.ada)

        var noHandle = Tampering()
        noHandle.omitUserHandle = true
        await #expect(throws: PasskeyError.userHandleMissing) { try await signIn(world, userID: nil, noHandle) }
        #expect(try await signIn(world, userID: world.ada, noHandle).userID == world.ada, "with the account named, the handle is optional")

        let bobsHandle = try await world.database.write { db in try PasskeyRepository.userHandle(for: world.bob, now: 0, in: db) }
        var wrongHandle = Tampering()
        wrongHandle.userHandle = bobsHandle
        await #expect(throws: PasskeyError.userHandleMismatch) { try await signIn(world, userID: nil, wrongHandle) }
    }

    @Test func refusesAReplayedExpiredOrMadeUpChallenge() async throws {
        let world = try await world()
        try await register(world, userID: world.ada)
        let start = try await world.passkeys.beginAuthentication(userID: world.ada)
        let assertion = try world.authenticator.authenticate(rpID: "example.org", challenge: start.challenge)
        _ = try await world.passkeys.finishAuthentication(assertion.response)
        await #expect(throws: PasskeyError.challengeReused) { try await world.passkeys.finishAuthentication(assertion.response) }

        let late = try await world.passkeys.beginAuthentication(userID: world.ada)
        world.clock.advance(WebAuthnChallenges.lifetime + 1)
        let expired = try world.authenticator.authenticate(rpID: "example.org", challenge: late.challenge)
        await #expect(throws: PasskeyError.challengeExpired) { try await world.passkeys.finishAuthentication(expired.response) }

        let madeUp = try world.authenticator.authenticate(rpID: "example.org", challenge: SecureRandom.bytes(32))
        await #expect(throws: PasskeyError.challengeUnknown) { try await world.passkeys.finishAuthentication(madeUp.response) }

        // A registration challenge is no sign-in challenge.
        let registration = try await world.passkeys.beginRegistration(userID: world.ada, userName: "ada", displayName: "Ada")
        let crossed = try world.authenticator.authenticate(rpID: "example.org", challenge: registration.challenge)
        await #expect(throws: PasskeyError.challengeUnknown) { try await world.passkeys.finishAuthentication(crossed.response) }
    }

    @Test func aRefusedResponseStillUsesUpItsChallenge() async throws {
        let world = try await world()
        try await register(world, userID: world.ada)
        let start = try await world.passkeys.beginAuthentication(userID: world.ada)
        var otherKey = Tampering()
        otherKey.signWithAnotherKey = true
        let forged = try world.authenticator.authenticate(rpID: "example.org", challenge: start.challenge, tampering: otherKey)
        await #expect(throws: PasskeyError.verification(.signatureInvalid)) { try await world.passkeys.finishAuthentication(forged.response) }
        let genuine = try world.authenticator.authenticate(rpID: "example.org", challenge: start.challenge)
        await #expect(throws: PasskeyError.challengeReused) { try await world.passkeys.finishAuthentication(genuine.response) }
    }

    static let tamperings: [(String, Tampering, PasskeyError)] = {
        var origin = Tampering(), rpID = Tampering(), otherKey = Tampering(), clientData = Tampering(), type = Tampering()
        origin.origin = "https://evil.test"
        rpID.rpID = "evil.test"
        otherKey.signWithAnotherKey = true
        clientData.clientDataAfterSigning = { Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "false", with: "false ").utf8) }
        type.type = "webauthn.create"
        return [("wrong origin", origin, .verification(.originNotAllowed("https://evil.test"))),
                ("wrong rpIdHash", rpID, .verification(.rpIDHashMismatch)),
                ("signature by another key", otherKey, .verification(.signatureInvalid)),
                ("tampered clientDataJSON", clientData, .verification(.signatureInvalid)),
                ("wrong type", type, .verification(.wrongCeremonyType("webauthn.create")))]
    }()

    @Test(arguments: 0..<tamperings.count)
    func refusesATamperedSignIn(index: Int) async throws {
        let (name, tampering, error) = Self.tamperings[index]
        let world = try await world()
        try await register(world, userID: world.ada)
        await #expect(throws: error, "\(name)") { try await signIn(world, userID: world.ada, tampering) }
    }

    @Test func refusesAnUnknownCredentialOrAnotherAccountsOne() async throws {
        let world = try await world()
        let stored = try await register(world, userID: world.ada)
        await #expect(throws: PasskeyError.credentialOfAnotherAccount) { try await signIn(world, userID: world.bob) }
        #expect(try await world.database.write { db in try PasskeyRepository.delete(id: stored.id, userID: world.bob, in: db) } == false)
        #expect(try await world.database.write { db in try PasskeyRepository.delete(id: stored.id, userID: world.ada, in: db) })
        await #expect(throws: PasskeyError.unknownCredential) { try await signIn(world, userID: world.ada) }
    }

    @Test func recordsACounterRegressionAndStillSignsIn() async throws {
        let world = try await world()
        let stored = try await register(world, userID: world.ada)
        _ = try await signIn(world, userID: world.ada)
        var cloned = Tampering()
        cloned.signCount = 1
        let signIn = try await signIn(world, userID: world.ada, cloned)
        #expect(signIn.assertion.counter == .regressed(stored: 1, received: 1))
        let after = try await world.database.read { db in try PasskeyRepository.find(id: stored.id, userID: world.ada, in: db) }
        #expect(after?.counterRegressions == 1 && after?.signCount == 1, "the stored counter never goes down")
        #expect(try await self.signIn(world, userID: world.ada).assertion.counter == .advanced(to: 3))
    }

    @Test func syncedPasskeysWithoutACounterSignInRepeatedly() async throws {
        let world = try await world()
        try await register(world, userID: world.ada, keepsCounter: false)
        for _ in 0..<3 { #expect(try await signIn(world, userID: nil).assertion.counter == .notKept) }
    }

    @Test func registrationIsBoundToItsAccountAndCredentialIDsAreUnique() async throws {
        let world = try await world()
        let forAda = try await world.passkeys.beginRegistration(userID: world.ada, userName: "ada", displayName: "Ada")
        let registration = try world.authenticator.register(rpID: "example.org", challenge: forAda.challenge, userHandle: [1])
        await #expect(throws: PasskeyError.challengeForAnotherAccount) {
            try await world.passkeys.finishRegistration(userID: world.bob, response: registration.response, name: "Stolen")
        }

        let first = try await world.passkeys.beginRegistration(userID: world.ada, userName: "ada", displayName: "Ada")
        let original = try world.authenticator.register(rpID: "example.org", challenge: first.challenge, userHandle: [1])
        _ = try await world.passkeys.finishRegistration(userID: world.ada, response: original.response, name: "Key")
        let second = try await world.passkeys.beginRegistration(userID: world.bob, userName: "bob", displayName: "Bob")
        let fresh = try world.authenticator.register(rpID: "example.org", challenge: second.challenge, userHandle: [2])
        let copy = RegistrationResponse(credentialID: original.credentialID, clientDataJSON: fresh.clientDataJSON,
                                        attestationObject: original.attestationObject)
        await #expect(throws: PasskeyError.credentialAlreadyRegistered) {
            try await world.passkeys.finishRegistration(userID: world.bob, response: copy, name: "Copy")
        }
    }

    @Test func refusesHostileRegistrationsWithTheStepTheyFailed() async throws {
        let world = try await world()
        let start = try await world.passkeys.beginRegistration(userID: world.ada, userName: "ada", displayName: "Ada")
        var hostile = Tampering()
        hostile.credentialPublicKey = [0x5B, 0x80, 0, 0, 0, 0, 0, 0, 0]
        let registration = try world.authenticator.register(rpID: "example.org", challenge: start.challenge, userHandle: [1], tampering: hostile)
        await #expect(throws: PasskeyError.verification(.invalidCredentialPublicKey(.malformedCBOR(.lengthExceedsInput(at: 0))))) {
            try await world.passkeys.finishRegistration(userID: world.ada, response: registration.response, name: "Bad")
        }
        let garbage = RegistrationResponse(credentialID: [1], clientDataJSON: Array("{".utf8), attestationObject: [])
        await #expect(throws: PasskeyError.verification(.malformedClientData)) {
            try await world.passkeys.finishRegistration(userID: world.ada, response: garbage, name: "Bad")
        }
    }

    @Test func userHandlesAreRandomStableAndPerAccount() async throws {
        let world = try await world()
        let (first, again, bobs, owner) = try await world.database.write { db in
            let first = try PasskeyRepository.userHandle(for: world.ada, now: 0, in: db)
            return (first, try PasskeyRepository.userHandle(for: world.ada, now: 0, in: db),
                    try PasskeyRepository.userHandle(for: world.bob, now: 0, in: db), try PasskeyRepository.user(forHandle: first, in: db))
        }
        #expect(first.count == 32 && first == again && first != bobs && owner == world.ada)
    }

    @Test func renamesAndListsPasskeys() async throws {
        let world = try await world()
        let stored = try await register(world, userID: world.ada)
        try await register(world, userID: world.ada, algorithm: .edDSA)
        let renamed = try await world.database.write { db in try PasskeyRepository.rename(id: stored.id, userID: world.ada, to: "YubiKey", in: db) }
        #expect(renamed)
        let list = try await world.database.read { db in try PasskeyRepository.list(userID: world.ada, in: db) }
        #expect(list.map(\.name) == ["YubiKey", "Laptop"])
        #expect(try await world.database.read { db in try PasskeyRepository.list(userID: world.bob, in: db) }.isEmpty)
    }

    @Test func housekeepingPurgesOldChallenges() async throws {
        let world = try await world()
        _ = try await world.passkeys.beginAuthentication(userID: nil)
        let housekeeping = Housekeeping(database: world.database, clock: world.clock.clock, throttle: SignInThrottle())
        guard case .swept(let fresh) = try await housekeeping.sweep() else { Issue.record("skipped"); return }
        #expect(fresh["webauthn_challenges"] == 0)
        world.clock.advance(WebAuthnChallenges.lifetime + 86_401)
        guard case .swept(let old) = try await housekeeping.sweep() else { Issue.record("skipped"); return }
        #expect(old["webauthn_challenges"] == 1)
    }
}
