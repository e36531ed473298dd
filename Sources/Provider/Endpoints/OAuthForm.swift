import Foundation
import Security
import Web

/// The body of a request to the token, revocation or introspection endpoint, checked the way
/// RFC 6749 §3.2 asks: a form (`application/x-www-form-urlencoded`), no parameter twice, and
/// empty parameters treated as absent (§3.1). `resource` alone may repeat (RFC 8707 §2).
struct OAuthForm {
    let fields: FormData

    /// Parses the body; every problem is `invalid_request`.
    static func parse(_ request: Request) throws(OAuthError) -> OAuthForm {
        guard request.mediaType == "application/x-www-form-urlencoded" else {
            throw OAuthError(.invalidRequest, "The request body must be application/x-www-form-urlencoded.")
        }
        let fields: FormData
        do { fields = try request.form() } catch { throw OAuthError(.invalidRequest, "The request body is not a valid form.") }
        var seen = Set<String>()
        for pair in fields where pair.name != "resource" && !seen.insert(pair.name).inserted {
            throw OAuthError(.invalidRequest, "The parameter \(OAuthError.printable(pair.name)) was given more than once.")
        }
        return OAuthForm(fields: fields)
    }

    /// A parameter's value; nil when absent or empty.
    subscript(name: String) -> String? {
        guard let value = fields[name], !value.isEmpty else { return nil }
        return value
    }

    /// Every `resource` parameter (RFC 8707), in order, empty ones dropped.
    var resources: [String] { fields.all("resource").filter { !$0.isEmpty } }

    /// A parameter the request cannot do without.
    func required(_ name: String) throws(OAuthError) -> String {
        guard let value = self[name] else { throw OAuthError(.invalidRequest, "The parameter \(name) is required.") }
        return value
    }

    /// The optional `scope` parameter; malformed is `invalid_scope`.
    func scope() throws(OAuthError) -> ScopeSet? {
        guard let text = self["scope"] else { return nil }
        guard let scope = ScopeSet(parsing: text) else { throw OAuthError(.invalidScope, "The scope parameter is malformed.") }
        return scope.isEmpty ? nil : scope
    }

    /// How the client presented itself: HTTP Basic (RFC 6749 §2.3.1, both parts form-encoded),
    /// `client_id` + `client_secret` in the body, or a public client's bare `client_id`. Using
    /// the header and a body secret together is refused.
    func credentials(from request: Request) throws(ClientAuthenticationError) -> ClientCredentials {
        if let header = request.headers["Authorization"] {
            guard let (id, secret) = Self.basicCredentials(header) else { throw .malformedBasic }
            if self["client_secret"] != nil { throw .multipleMethods }
            if let bodyID = self["client_id"], bodyID != id { throw .conflictingClientIDs }
            return ClientCredentials(clientID: id, secret: secret, method: .basic)
        }
        guard let id = self["client_id"] else { throw .missing }
        if let secret = self["client_secret"] { return ClientCredentials(clientID: id, secret: secret, method: .post) }
        return ClientCredentials(clientID: id, secret: nil, method: .none)
    }

    /// Decodes `Basic base64(urlencode(id):urlencode(secret))`; nil when malformed.
    static func basicCredentials(_ header: String) -> (String, String)? {
        // Searched as bytes: `split` and `firstIndex(of: Character)` break graphemes, which cost
        // more than decoding the credentials.
        guard let space = header.utf8.firstIndex(of: UInt8(ascii: " ")),
              header[..<space].lowercased() == "basic",
              let decoded = Base64.decode(header[header.utf8.index(after: space)...].trimmingOptionalWhitespace),
              let text = String(validating: decoded, as: UTF8.self),
              let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        // The form decoder (`+` is a space, bad escapes and bad UTF-8 refuse): Foundation's
        // `replacingOccurrences` and `removingPercentEncoding` cost more than the grant itself.
        guard let id = FormData.decode(text[..<colon]), let secret = FormData.decode(text[text.index(after: colon)...]),
              !id.isEmpty else { return nil }
        return (id, secret)
    }
}
