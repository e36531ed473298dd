/// Signs short strings with HMAC-SHA256 so they survive a round trip through the client untampered
/// (in the manner of itsdangerous): `value.<base64url(mac)>`. Not encryption: the value stays readable.
public struct Signer: Sendable {
    private static let macLength = 32
    private let keys: [[UInt8]]

    /// A signer that signs with `key` and also accepts signatures made with any of `fallbacks`.
    public init(key: [UInt8], fallbacks: [[UInt8]] = []) {
        keys = [key] + fallbacks
    }

    /// `value` followed by a dot and its signature.
    public func sign(_ value: String) -> String {
        value + "." + Base64URL.encode(HMAC.sha256(key: keys[0], message: value.utf8))
    }

    /// The original value if the signature is valid under any key, else nil.
    public func unsign(_ signed: String) -> String? {
        guard let dot = signed.utf8.lastIndex(of: UInt8(ascii: ".")) else { return nil }
        let value = signed[..<dot]
        guard let mac = Base64URL.decode(signed[signed.utf8.index(after: dot)...]),
              mac.count == Self.macLength else { return nil }
        for key in keys where constantTimeEquals(HMAC.sha256(key: key, message: value.utf8), mac) {
            return String(value)
        }
        return nil
    }
}
