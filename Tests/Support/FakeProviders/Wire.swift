import Foundation
import Security
import Web

/// Small helpers for the bytes the fakes put on (and read off) the wire.
enum Wire {
    /// `value` as a JSON response with sorted keys and unescaped slashes, as most providers send.
    static func json(_ value: JSONValue, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> Response {
        encoded(value, status: status, headers: headers)
    }

    /// Any encodable `value` (a `JWKSet`) as a JSON response.
    static func encoded(_ value: some Encodable, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)).map(Array.init) ?? Array("null".utf8)
        var response = Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: body)
        for field in headers { response.headers.set(field.name, field.value) }
        return response
    }

    /// `pairs` as an `application/x-www-form-urlencoded` response (spaces as `+`, like GitHub).
    static func form(_ pairs: [(String, String)], status: HTTPStatus = .ok) -> Response {
        Response(status: status, contentType: "application/x-www-form-urlencoded; charset=utf-8", text: FormData(pairs).encoded)
    }

    /// An HTML page with `title` and `message`.
    static func html(_ title: String, _ message: String, status: HTTPStatus = .ok) -> Response {
        let page = "<!DOCTYPE html><html><head><title>\(title)</title></head><body><h1>\(title)</h1><p>\(message)</p></body></html>"
        return Response(status: status, contentType: "text/html; charset=utf-8", text: page)
    }

    /// A 302 to `base` with `pairs` appended to its query (after any it already has), plus an
    /// optional fragment.
    static func redirect(_ base: String, _ pairs: [(String, String)], fragment: String? = nil) -> Response {
        var location = base
        if !pairs.isEmpty {
            location += (base.contains("?") ? "&" : "?") + ClientRequest.formEncoded(pairs)
        }
        if let fragment { location += "#" + fragment }
        return Response(status: .found, headers: ["Location": location])
    }

    /// The token of an `Authorization` header whose scheme is one of `schemes` (lower-case):
    /// `bearer` everywhere, plus GitHub's `token` and Facebook's `oauth` where those fakes allow.
    static func bearer(_ request: Request, schemes: Set<String> = ["bearer"]) -> String? {
        guard let value = request.headers["Authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        guard schemes.contains(scheme) else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The client id and secret of an `Authorization: Basic …` header; each half is form-decoded
    /// first, as RFC 6749 §2.3.1 asks of clients.
    static func basic(_ request: Request) -> (id: String, secret: String)? {
        guard let value = request.headers["Authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Base64.decode(parts[1].trimmingCharacters(in: .whitespaces)),
              let text = String(validating: decoded, as: UTF8.self),
              let colon = text.firstIndex(of: ":") else { return nil }
        let id = String(text[..<colon])
        let secret = String(text[text.index(after: colon)...])
        return (formDecoded(id) ?? id, formDecoded(secret) ?? secret)
    }

    /// Whether the request carries any `Authorization: Basic` header.
    static func hasBasic(_ request: Request) -> Bool {
        request.headers["Authorization"]?.lowercased().hasPrefix("basic") == true
    }

    /// A random token of `length` letters and digits after `prefix`.
    static func token(prefix: String = "", length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let bytes = SecureRandom.bytes(length)
        return prefix + String(bytes.map { alphabet[Int($0) % alphabet.count] })
    }

    /// Scopes from a space- or comma-separated list, first occurrence kept, empties dropped.
    static func scopes(_ text: String?) -> [String] {
        var seen: [String] = []
        for part in (text ?? "").split(whereSeparator: { $0 == " " || $0 == "," }) where !seen.contains(String(part)) {
            seen.append(String(part))
        }
        return seen
    }

    /// `value` as a JSON string, or `null`.
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// Unix seconds for `date`.
    static func seconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970) }

    private static func formDecoded(_ text: String) -> String? {
        FormData(urlEncoded: Substring("v=" + text))?["v"]
    }
}
