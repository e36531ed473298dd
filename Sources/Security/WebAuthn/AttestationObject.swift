/// The attestation object a registration returns (WebAuthn §6.5.4): a CBOR map of the
/// attestation format, its statement and the authenticator data.
public struct AttestationObject: Sendable {
    /// The attestation statement format, e.g. `none`, `packed`, `apple`.
    public let format: String
    /// The format-specific statement.
    public let statement: CBORMap
    /// The authenticator data, parsed.
    public let authenticatorData: AuthenticatorData

    /// Parses `bytes`; extra top-level keys are ignored.
    public static func parse(_ bytes: [UInt8]) throws(WebAuthnError) -> AttestationObject {
        let value: CBORValue
        do {
            value = try CBORDecoder().decode(bytes)
        } catch {
            throw .attestationObjectCBOR(error)
        }
        guard let map = value.mapValue, let format = map["fmt"]?.textValue,
              let statement = map["attStmt"]?.mapValue, let authData = map["authData"]?.bytesValue else {
            throw .malformedAttestationObject
        }
        return AttestationObject(format: format, statement: statement,
                                 authenticatorData: try AuthenticatorData.parse(authData))
    }
}
