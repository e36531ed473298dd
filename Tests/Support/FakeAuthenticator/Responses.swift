import Foundation
import Security

/// A registration as the browser hands it to the page.
public struct Registration: Sendable {
    public let credentialID: [UInt8]
    public let clientDataJSON: [UInt8]
    public let attestationObject: [UInt8]
    public let transports: [String]

    /// `PublicKeyCredential.toJSON()`.
    public var json: [UInt8] {
        encode([
            "id": .string(Base64URL.encode(credentialID)), "rawId": .string(Base64URL.encode(credentialID)), "type": "public-key",
            "response": [
                "clientDataJSON": .string(Base64URL.encode(clientDataJSON)),
                "attestationObject": .string(Base64URL.encode(attestationObject)),
                "transports": .array(transports.map(JSONValue.string)),
            ],
            "clientExtensionResults": [:], "authenticatorAttachment": "platform",
        ])
    }

    /// The parsed form the relying party verifies.
    public var response: RegistrationResponse {
        RegistrationResponse(credentialID: credentialID, clientDataJSON: clientDataJSON, attestationObject: attestationObject,
                             transports: transports)
    }
}

/// A sign-in as the browser hands it to the page.
public struct Assertion: Sendable {
    public let credentialID: [UInt8]
    public let clientDataJSON: [UInt8]
    public let authenticatorData: [UInt8]
    public let signature: [UInt8]
    public let userHandle: [UInt8]?

    /// `PublicKeyCredential.toJSON()`.
    public var json: [UInt8] {
        encode([
            "id": .string(Base64URL.encode(credentialID)), "rawId": .string(Base64URL.encode(credentialID)), "type": "public-key",
            "response": [
                "clientDataJSON": .string(Base64URL.encode(clientDataJSON)),
                "authenticatorData": .string(Base64URL.encode(authenticatorData)),
                "signature": .string(Base64URL.encode(signature)),
                "userHandle": userHandle.map { .string(Base64URL.encode($0)) } ?? .null,
            ],
            "clientExtensionResults": [:], "authenticatorAttachment": "platform",
        ])
    }

    /// The parsed form the relying party verifies.
    public var response: AuthenticationResponse {
        AuthenticationResponse(credentialID: credentialID, clientDataJSON: clientDataJSON, authenticatorData: authenticatorData,
                               signature: signature, userHandle: userHandle)
    }
}

private func encode(_ value: JSONValue) -> [UInt8] {
    guard let data = try? JSONEncoder().encode(value) else { fatalError("JSONValue always encodes") }
    return Array(data)
}
