/// Why a WebAuthn response was refused (W3C WebAuthn Level 3 §7.1 and §7.2). Each case is one
/// check of the specification, so a log line says which step failed; none of them reveals more
/// to the browser than "that did not work".
public enum WebAuthnError: Error, Sendable, Equatable {
    /// The browser's JSON lacks `field`, or it is of the wrong type or encoding.
    case malformedResponse(field: String)
    /// The response's credential id differs from the one in the authenticator data.
    case credentialIDMismatch

    /// `clientDataJSON` is not a JSON object with string `type`, `challenge` and `origin`.
    case malformedClientData
    /// `type` is not the ceremony's (`webauthn.create` or `webauthn.get`).
    case wrongCeremonyType(String)
    /// The challenge is not the one this ceremony issued.
    case challengeMismatch
    /// The page that ran the ceremony is not one of ours.
    case originNotAllowed(String)
    /// The ceremony ran in a cross-origin iframe, which we never embed.
    case crossOriginNotAllowed

    /// The authenticator data is too short, or its lengths do not add up.
    case malformedAuthenticatorData
    /// The authenticator data goes on after everything its flags announce.
    case trailingAuthenticatorData
    /// The credential is scoped to another relying party.
    case rpIDHashMismatch
    /// The authenticator did not test for a person's presence.
    case userNotPresent
    /// The policy requires user verification (PIN, biometrics) and it was not done.
    case userNotVerified
    /// "Backed up" without "backup eligible", which no honest authenticator reports.
    case backupStateWithoutEligibility
    /// A registration without attested credential data.
    case missingAttestedCredentialData
    /// An assertion that carries attested credential data.
    case unexpectedAttestedCredentialData
    /// A credential id over 1023 bytes.
    case credentialIDTooLong(Int)
    /// The credential public key is malformed or of an algorithm we do not accept.
    case invalidCredentialPublicKey(COSEKeyError)
    /// The extension outputs are announced but are not a well-formed CBOR map.
    case malformedExtensions

    /// The attestation object is not a CBOR map with `fmt`, `attStmt` and `authData`.
    case malformedAttestationObject
    /// The attestation object is not well-formed CBOR.
    case attestationObjectCBOR(CBORError)
    /// An attestation format other than `none`: we do not verify attestation chains, so a
    /// statement we cannot check is refused rather than ignored.
    case unsupportedAttestationFormat(String)
    /// Format `none` with a non-empty statement.
    case nonEmptyNoneAttestationStatement

    /// The assertion signature does not verify under the stored public key.
    case signatureInvalid
    /// The credential's backup eligibility differs from what it was registered with.
    case backupEligibilityChanged
}
