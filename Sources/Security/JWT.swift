import Foundation

/// A parsed compact JWS (RFC 7515) carrying JWT claims (RFC 7519); parsing checks shape only,
/// `verify` checks everything else.
public struct JWT: Sendable {
    /// Longest compact token `parse` accepts; real id_tokens are one or two kilobytes.
    public static let maxLength = 16 * 1024

    /// The JOSE header.
    public let header: Claims
    /// The payload's claims.
    public let claims: Claims
    /// The raw signature bytes.
    public let signature: [UInt8]
    /// `base64url(header).base64url(payload)`, the bytes the signature covers.
    let signingInput: [UInt8]

    /// The header's `alg`.
    public var algorithm: String? { header.string("alg") }
    /// The header's `kid`.
    public var keyID: String? { header.string("kid") }

    /// Parses a compact token without trusting anything in it; never traps on hostile input.
    public static func parse(_ compact: String) throws(JWTError) -> JWT {
        guard compact.utf8.count <= maxLength else { throw .malformed }
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
              let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = decodeObject(headerBytes), let claims = decodeObject(payloadBytes),
              header["alg"]?.stringValue != nil else {
            throw .malformed
        }
        return JWT(header: Claims(header), claims: Claims(claims), signature: signature,
                   signingInput: Array(compact.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count)))
    }

    private static func decodeObject(_ bytes: [UInt8]) -> [String: JSONValue]? {
        // Foundation's decoder bounds nesting depth itself, so deep arrays fail rather than overflow the stack.
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return nil }
        return value.objectValue
    }
}
