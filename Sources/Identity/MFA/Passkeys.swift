import Security
import Storage

/// Passkey ceremonies for both apps (issue 14): registration while signed in, and sign-in with
/// or without a username. Each ceremony is a `begin` that issues a challenge and returns the
/// options for the page's `navigator.credentials` call, and a `finish` that takes the browser's
/// JSON back. The web layer owns the pages, CSRF, sessions and rate limits; this owns the rules.
///
/// A `finish` runs in one write transaction that uses up the challenge first and returns any
/// refusal as a value, so the transaction commits and a refused response still burns its
/// challenge: nobody gets a second try with it.
public struct Passkeys: Sendable {
    /// The relying party: RP ID, allowed origins, user-verification policy.
    public let relyingParty: RelyingParty
    let database: any Database
    let clock: Clock

    /// Passkeys over `database` for `relyingParty`.
    public init(database: any Database, relyingParty: RelyingParty, clock: Clock = .system) {
        self.database = database
        self.relyingParty = relyingParty
        self.clock = clock
    }

    /// The start of a ceremony: the options to hand to the page as JSON, and the challenge inside them.
    public struct Start: Sendable {
        /// `PublicKeyCredentialCreationOptionsJSON` or `…RequestOptionsJSON`.
        public let options: JSONValue
        /// The challenge, also in `options`.
        public let challenge: [UInt8]
    }

    /// A successful passkey sign-in.
    public struct SignIn: Sendable, Equatable {
        /// The account signed in.
        public let userID: Int64
        /// The credential used, as it was before this sign-in.
        public let passkey: StoredPasskey
        /// The verified assertion; `counter` is `.regressed` when the credential may be cloned
        /// (already counted in `counter_regressions`; the app may also warn the owner).
        public let assertion: VerifiedAssertion
    }

    /// Starts registering a passkey for signed-in `userID`.
    public func beginRegistration(userID: Int64, userName: String, displayName: String) async throws -> Start {
        let now = clock.now(), relyingParty = relyingParty
        return try await database.write { db in
            let handle = try PasskeyRepository.userHandle(for: userID, now: now, in: db)
            let challenge = try WebAuthnChallenges.issue(.registration, userID: userID, now: now, in: db)
            let exclude = try PasskeyRepository.list(userID: userID, in: db).map {
                RelyingParty.CredentialDescriptor(id: $0.credentialID, transports: $0.transports)
            }
            return Start(options: relyingParty.creationOptions(challenge: challenge, userHandle: handle, userName: userName,
                                                               displayName: displayName, exclude: exclude),
                         challenge: challenge)
        }
    }

    /// Finishes a registration for `userID` and stores the passkey under `name`.
    public func finishRegistration(userID: Int64, response: RegistrationResponse, name: String) async throws -> StoredPasskey {
        let challenge = try Self.challenge(in: response.clientDataJSON)
        let now = clock.now(), relyingParty = relyingParty
        let outcome: Result<StoredPasskey, PasskeyError> = try await database.write { db in
            do {
                guard try WebAuthnChallenges.consume(challenge, purpose: .registration, now: now, in: db) == userID else {
                    return .failure(.challengeForAnotherAccount)
                }
            } catch let error as PasskeyError {
                return .failure(error)
            }
            let credential: RegisteredCredential
            do {
                credential = try response.verify(with: relyingParty, expectedChallenge: challenge)
            } catch let error as WebAuthnError {
                return .failure(.verification(error))
            }
            guard try PasskeyRepository.list(userID: userID, in: db).count < PasskeyRepository.maxPerUser else {
                return .failure(.tooManyPasskeys)
            }
            guard let stored = try PasskeyRepository.insert(credential, userID: userID, name: name, now: now, in: db) else {
                return .failure(.credentialAlreadyRegistered)
            }
            return .success(stored)
        }
        return try outcome.get()
    }

    /// Starts a sign-in: for `userID` when the person already named their account (only its
    /// passkeys are offered), or for anyone (nil: the browser offers every passkey it has for us).
    public func beginAuthentication(userID: Int64?) async throws -> Start {
        let now = clock.now(), relyingParty = relyingParty
        return try await database.write { db in
            let challenge = try WebAuthnChallenges.issue(.authentication, userID: userID, now: now, in: db)
            let allow = try userID.map { try PasskeyRepository.list(userID: $0, in: db) }?.map {
                RelyingParty.CredentialDescriptor(id: $0.credentialID, transports: $0.transports)
            } ?? []
            return Start(options: relyingParty.requestOptions(challenge: challenge, allow: allow), challenge: challenge)
        }
    }

    /// Finishes a sign-in (§7.2): finds the credential, checks it belongs to the account the
    /// ceremony was for (or, without one, to the account its user handle names), verifies the
    /// signature, and records the use.
    public func finishAuthentication(_ response: AuthenticationResponse) async throws -> SignIn {
        let challenge = try Self.challenge(in: response.clientDataJSON)
        let now = clock.now(), relyingParty = relyingParty
        let outcome: Result<SignIn, PasskeyError> = try await database.write { db in
            let expectedUser: Int64?
            do {
                expectedUser = try WebAuthnChallenges.consume(challenge, purpose: .authentication, now: now, in: db)
            } catch let error as PasskeyError {
                return .failure(error)
            }
            guard let passkey = try PasskeyRepository.find(credentialID: response.credentialID, in: db) else {
                return .failure(.unknownCredential)
            }
            if let expectedUser, passkey.userID != expectedUser { return .failure(.credentialOfAnotherAccount) }
            if let handle = response.userHandle {
                guard try PasskeyRepository.user(forHandle: handle, in: db) == passkey.userID else { return .failure(.userHandleMismatch) }
            } else if expectedUser == nil {
                return .failure(.userHandleMissing)
            }
            let assertion: VerifiedAssertion
            do {
                let key = try COSEKey(encoded: passkey.publicKey)
                assertion = try response.verify(with: relyingParty, expectedChallenge: challenge,
                                                credential: CredentialState(publicKey: key, signCount: passkey.signCount,
                                                                            backupEligible: passkey.backupEligible))
            } catch let error as WebAuthnError {
                return .failure(.verification(error))
            } catch let error as COSEKeyError {
                return .failure(.verification(.invalidCredentialPublicKey(error)))
            }
            try PasskeyRepository.recordUse(id: passkey.id, assertion: assertion, now: now, in: db)
            return .success(SignIn(userID: passkey.userID, passkey: passkey, assertion: assertion))
        }
        return try outcome.get()
    }

    /// The challenge the client data claims, so the stored one can be looked up; the full
    /// check against it comes with verification.
    static func challenge(in clientDataJSON: [UInt8]) throws(PasskeyError) -> [UInt8] {
        let clientData: CollectedClientData
        do {
            clientData = try CollectedClientData.parse(clientDataJSON)
        } catch {
            throw .verification(error)
        }
        guard let challenge = Base64URL.decode(clientData.challenge), !challenge.isEmpty else { throw .challengeUnknown }
        return challenge
    }
}
