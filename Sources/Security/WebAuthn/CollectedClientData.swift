import Foundation

/// The client data a browser signs over (WebAuthn §5.8.1), parsed from `clientDataJSON`.
public struct CollectedClientData: Sendable, Equatable {
    /// Longest `clientDataJSON` accepted; browsers send a few hundred bytes.
    public static let maxLength = 16 * 1024

    /// `webauthn.create` or `webauthn.get`.
    public let type: String
    /// The challenge, base64url without padding, as the browser wrote it.
    public let challenge: String
    /// The origin of the page that called the API.
    public let origin: String
    /// Whether the call came from a cross-origin iframe (absent counts as false).
    public let crossOrigin: Bool
    /// The top-level origin, present only for cross-origin calls.
    public let topOrigin: String?

    /// Parses `json`; members we do not know are ignored, as the specification asks.
    public static func parse(_ json: [UInt8]) throws(WebAuthnError) -> CollectedClientData {
        guard json.count <= maxLength, String(validating: json, as: UTF8.self) != nil,
              let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json)),
              let object = value.objectValue,
              let type = object["type"]?.stringValue, let challenge = object["challenge"]?.stringValue,
              let origin = object["origin"]?.stringValue else {
            throw .malformedClientData
        }
        var crossOrigin = false
        if let member = object["crossOrigin"], member != .null {
            guard let flag = member.boolValue else { throw .malformedClientData }
            crossOrigin = flag
        }
        var topOrigin: String?
        if let member = object["topOrigin"], member != .null {
            guard let text = member.stringValue else { throw .malformedClientData }
            topOrigin = text
        }
        return CollectedClientData(type: type, challenge: challenge, origin: origin, crossOrigin: crossOrigin, topOrigin: topOrigin)
    }

    /// Steps 7 to 10 of §7.1 and 8 to 11 of §7.2: the ceremony type, the challenge (compared as
    /// the exact base64url text, so a padded or otherwise re-encoded challenge does not pass),
    /// the origin, and no cross-origin use.
    func check(type expectedType: String, challenge expected: [UInt8], origins: Set<String>) throws(WebAuthnError) {
        guard type == expectedType else { throw .wrongCeremonyType(type) }
        guard constantTimeEquals(Array(challenge.utf8), Array(Base64URL.encode(expected).utf8)) else {
            throw .challengeMismatch
        }
        guard origins.contains(origin) else { throw .originNotAllowed(origin) }
        guard !crossOrigin else { throw .crossOriginNotAllowed }
    }
}
