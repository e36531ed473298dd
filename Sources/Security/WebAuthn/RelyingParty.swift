/// The relying party's side of WebAuthn (W3C WebAuthn Level 3 §7.1 and §7.2) as pure functions:
/// bytes from the browser and the values we expect in, a verified credential or assertion (or
/// a named `WebAuthnError`) out. Storage, challenges and users live above, in Identity.
///
/// Attestation: only the `none` format is accepted. We do not verify attestation certificate
/// chains (that needs the FIDO metadata service and buys nothing for a sign-in site), so an
/// authenticator that insists on attesting is refused rather than trusted unchecked; browsers
/// send `none` when the options ask for `attestation: "none"`, as ours do.
public struct RelyingParty: Sendable {
    /// Whether the authenticator must verify the person (PIN, biometrics), or only their presence.
    public enum UserVerification: String, Sendable {
        /// UV must be set, at registration and at every sign-in.
        case required
        /// Asked for, not insisted on: presence (UP) is enough.
        case preferred
        /// Not asked for.
        case discouraged
    }

    /// The RP ID: the registrable domain credentials are scoped to, e.g. `example.com`.
    public let id: String
    /// The name authenticators show.
    public let name: String
    /// The origins our pages are served from, e.g. `https://example.com`.
    public let origins: Set<String>
    /// The user-verification policy.
    public let userVerification: UserVerification
    /// SHA-256 of `id`, as authenticator data carries it.
    public let idHash: [UInt8]

    /// A relying party with ID `id` whose pages are served from `origins`.
    public init(id: String, name: String, origins: some Sequence<String>, userVerification: UserVerification = .preferred) {
        self.id = id
        self.name = name
        self.origins = Set(origins)
        self.userVerification = userVerification
        idHash = SHA256.hash(id)
    }

    /// Verifies a registration (§7.1) and returns the credential to store. The caller then checks
    /// that no account already has its id (step 26) and stores it with the user.
    public func verifyRegistration(clientDataJSON: [UInt8], attestationObject: [UInt8], expectedChallenge: [UInt8],
                                   transports: [String] = []) throws(WebAuthnError) -> RegisteredCredential {
        try CollectedClientData.parse(clientDataJSON)
            .check(type: "webauthn.create", challenge: expectedChallenge, origins: origins)
        let attestation = try AttestationObject.parse(attestationObject)
        let data = attestation.authenticatorData
        try checkFlags(data)
        guard let credential = data.attestedCredential else { throw .missingAttestedCredentialData }
        guard attestation.format == "none" else { throw .unsupportedAttestationFormat(attestation.format) }
        guard attestation.statement.count == 0 else { throw .nonEmptyNoneAttestationStatement }
        return RegisteredCredential(id: credential.credentialID, publicKey: credential.publicKey, signCount: data.signCount,
                                    aaguid: credential.aaguid, userVerified: data.flags.contains(.userVerified),
                                    backupEligible: data.flags.contains(.backupEligible),
                                    backedUp: data.flags.contains(.backedUp), transports: transports)
    }

    /// Verifies an assertion (§7.2) made with `credential`, which the caller looked up by the
    /// response's credential id and checked belongs to the right user. A counter that went
    /// backwards is reported in the result, not thrown: the caller records it and decides.
    public func verifyAuthentication(clientDataJSON: [UInt8], authenticatorData: [UInt8], signature: [UInt8],
                                     expectedChallenge: [UInt8], credential: CredentialState) throws(WebAuthnError) -> VerifiedAssertion {
        try CollectedClientData.parse(clientDataJSON)
            .check(type: "webauthn.get", challenge: expectedChallenge, origins: origins)
        let data = try AuthenticatorData.parse(authenticatorData)
        try checkFlags(data)
        guard data.attestedCredential == nil else { throw .unexpectedAttestedCredentialData }
        guard data.flags.contains(.backupEligible) == credential.backupEligible else { throw .backupEligibilityChanged }
        guard credential.publicKey.verify(signature: signature, message: authenticatorData + SHA256.hash(clientDataJSON)) else {
            throw .signatureInvalid
        }
        return VerifiedAssertion(signCount: data.signCount, counter: .check(stored: credential.signCount, received: data.signCount),
                                 userVerified: data.flags.contains(.userVerified), backedUp: data.flags.contains(.backedUp))
    }

    /// The checks both ceremonies make on authenticator data: our RP ID, presence, verification
    /// when required, and a coherent backup state.
    private func checkFlags(_ data: AuthenticatorData) throws(WebAuthnError) {
        guard constantTimeEquals(data.rpIDHash, idHash) else { throw .rpIDHashMismatch }
        guard data.flags.contains(.userPresent) else { throw .userNotPresent }
        if userVerification == .required {
            guard data.flags.contains(.userVerified) else { throw .userNotVerified }
        }
        if data.flags.contains(.backedUp) {
            guard data.flags.contains(.backupEligible) else { throw .backupStateWithoutEligibility }
        }
    }
}

/// A credential that passed registration, ready to store.
public struct RegisteredCredential: Sendable {
    /// The credential id.
    public let id: [UInt8]
    /// The public key; `publicKey.encoded` is what to store.
    public let publicKey: COSEKey
    /// The counter at registration (0 for authenticators that keep none).
    public let signCount: UInt32
    /// The authenticator model's AAGUID.
    public let aaguid: [UInt8]
    /// Whether the person was verified while registering.
    public let userVerified: Bool
    /// Whether the credential may be synced (BE); fixed for its lifetime.
    public let backupEligible: Bool
    /// Whether it is backed up now (BS).
    public let backedUp: Bool
    /// Transport hints from the browser (`internal`, `hybrid`, `usb`, …), for later `allowCredentials`.
    public let transports: [String]

    /// The credential's algorithm.
    public var algorithm: COSEAlgorithm { publicKey.algorithm }
}

/// What a stored credential contributes to verifying an assertion.
public struct CredentialState: Sendable {
    /// The stored public key.
    public let publicKey: COSEKey
    /// The highest counter seen so far.
    public let signCount: UInt32
    /// BE as registered.
    public let backupEligible: Bool

    /// The state of a stored credential.
    public init(publicKey: COSEKey, signCount: UInt32, backupEligible: Bool) {
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
    }
}

/// A verified assertion.
public struct VerifiedAssertion: Sendable, Equatable {
    /// The counter the authenticator reported.
    public let signCount: UInt32
    /// What the counter says about cloning.
    public let counter: SignCounter
    /// Whether the person was verified (UV).
    public let userVerified: Bool
    /// Whether the credential is backed up now (BS), which may change between sign-ins.
    public let backedUp: Bool
}

/// The signature counter rule of §7.2 step 22.
public enum SignCounter: Sendable, Equatable {
    /// Both counters are 0: the authenticator keeps none (synced passkeys do this). Nothing to learn.
    case notKept
    /// The counter went up; store the new value.
    case advanced(to: UInt32)
    /// The counter did not go up although one of the two is non-zero: a signal (not proof) that
    /// the credential was cloned. The assertion is still valid; the caller records the event.
    case regressed(stored: UInt32, received: UInt32)

    /// The rule: if either counter is non-zero, the new one must be greater than the stored one.
    public static func check(stored: UInt32, received: UInt32) -> SignCounter {
        if stored == 0 && received == 0 { return .notKept }
        return received > stored ? .advanced(to: received) : .regressed(stored: stored, received: received)
    }
}
