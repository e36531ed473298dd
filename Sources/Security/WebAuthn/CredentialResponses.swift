import Foundation

/// A registration response as the browser's `PublicKeyCredential.toJSON()` writes it (WebAuthn
/// §5.1, `RegistrationResponseJSON`): binary members are base64url.
public struct RegistrationResponse: Sendable {
    /// The credential id (`rawId`).
    public let credentialID: [UInt8]
    /// `response.clientDataJSON`.
    public let clientDataJSON: [UInt8]
    /// `response.attestationObject`.
    public let attestationObject: [UInt8]
    /// `response.transports`, if the browser gave them.
    public let transports: [String]

    /// A response from its parts.
    public init(credentialID: [UInt8], clientDataJSON: [UInt8], attestationObject: [UInt8], transports: [String] = []) {
        self.credentialID = credentialID
        self.clientDataJSON = clientDataJSON
        self.attestationObject = attestationObject
        self.transports = transports
    }

    /// Parses the browser's JSON.
    public init(json: [UInt8]) throws(WebAuthnError) {
        let credential = try ResponseJSON(json)
        let response = try credential.response()
        self.init(credentialID: try credential.credentialID(), clientDataJSON: try response.binary("clientDataJSON"),
                  attestationObject: try response.binary("attestationObject"), transports: try response.transports())
    }

    /// Verifies the response with `relyingParty` (§7.1), and that the id the browser names is the
    /// one the authenticator attested.
    public func verify(with relyingParty: RelyingParty, expectedChallenge: [UInt8]) throws(WebAuthnError) -> RegisteredCredential {
        let credential = try relyingParty.verifyRegistration(clientDataJSON: clientDataJSON, attestationObject: attestationObject,
                                                             expectedChallenge: expectedChallenge, transports: transports)
        guard constantTimeEquals(credential.id, credentialID) else { throw .credentialIDMismatch }
        return credential
    }
}

/// An authentication response as `PublicKeyCredential.toJSON()` writes it
/// (`AuthenticationResponseJSON`).
public struct AuthenticationResponse: Sendable {
    /// The credential id (`rawId`), by which the caller finds the stored credential.
    public let credentialID: [UInt8]
    /// `response.clientDataJSON`.
    public let clientDataJSON: [UInt8]
    /// `response.authenticatorData`.
    public let authenticatorData: [UInt8]
    /// `response.signature`.
    public let signature: [UInt8]
    /// `response.userHandle`: present for discoverable credentials, naming the account.
    public let userHandle: [UInt8]?

    /// A response from its parts.
    public init(credentialID: [UInt8], clientDataJSON: [UInt8], authenticatorData: [UInt8], signature: [UInt8],
                userHandle: [UInt8]? = nil) {
        self.credentialID = credentialID
        self.clientDataJSON = clientDataJSON
        self.authenticatorData = authenticatorData
        self.signature = signature
        self.userHandle = userHandle
    }

    /// Parses the browser's JSON.
    public init(json: [UInt8]) throws(WebAuthnError) {
        let credential = try ResponseJSON(json)
        let response = try credential.response()
        let handle = try response.optionalBinary("userHandle")
        self.init(credentialID: try credential.credentialID(), clientDataJSON: try response.binary("clientDataJSON"),
                  authenticatorData: try response.binary("authenticatorData"), signature: try response.binary("signature"),
                  userHandle: handle?.isEmpty == true ? nil : handle)
    }

    /// Verifies the response with `relyingParty` (§7.2) against the stored `credential`.
    public func verify(with relyingParty: RelyingParty, expectedChallenge: [UInt8],
                       credential: CredentialState) throws(WebAuthnError) -> VerifiedAssertion {
        try relyingParty.verifyAuthentication(clientDataJSON: clientDataJSON, authenticatorData: authenticatorData,
                                              signature: signature, expectedChallenge: expectedChallenge, credential: credential)
    }
}

/// The JSON both responses share: `id`, `rawId`, `type` and the `response` object.
private struct ResponseJSON {
    /// Longest response accepted; attestation objects with `none` are well under a kilobyte.
    static let maxLength = 64 * 1024
    let object: [String: JSONValue]

    init(_ json: [UInt8]) throws(WebAuthnError) {
        guard json.count <= Self.maxLength, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json)),
              let object = value.objectValue else { throw .malformedResponse(field: "credential") }
        guard object["type"]?.stringValue == "public-key" else { throw .malformedResponse(field: "type") }
        self.object = object
    }

    /// `rawId`, which must agree with `id` when both are given.
    func credentialID() throws(WebAuthnError) -> [UInt8] {
        let raw = try optionalBinary("rawId"), id = try optionalBinary("id")
        guard let credentialID = raw ?? id, !credentialID.isEmpty else { throw .malformedResponse(field: "rawId") }
        if let raw, let id, raw != id { throw .malformedResponse(field: "id") }
        return credentialID
    }

    func response() throws(WebAuthnError) -> ResponseJSON {
        guard let inner = object["response"]?.objectValue else { throw .malformedResponse(field: "response") }
        return ResponseJSON(object: inner)
    }

    private init(object: [String: JSONValue]) {
        self.object = object
    }

    func binary(_ field: String) throws(WebAuthnError) -> [UInt8] {
        guard let bytes = try optionalBinary(field) else { throw .malformedResponse(field: field) }
        return bytes
    }

    func optionalBinary(_ field: String) throws(WebAuthnError) -> [UInt8]? {
        guard let member = object[field], member != .null else { return nil }
        guard let text = member.stringValue, let bytes = Base64URL.decode(text) else { throw .malformedResponse(field: field) }
        return bytes
    }

    /// `transports`: strings, at most a handful, each short; anything else is dropped, since
    /// they are only hints for later sign-ins.
    func transports() throws(WebAuthnError) -> [String] {
        guard let member = object["transports"], member != .null else { return [] }
        guard let array = member.arrayValue else { throw .malformedResponse(field: "transports") }
        return Array(array.compactMap(\.stringValue).filter { (1...32).contains($0.utf8.count) && $0.allSatisfy(\.isASCII) }.prefix(8))
    }
}
