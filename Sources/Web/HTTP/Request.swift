import Foundation

/// An HTTP request as handlers see it: the parsed head, the whole body and the peer's address.
public struct Request: Sendable {
    /// The request line and headers.
    public var head: RequestHead
    /// The de-chunked body (bounded by the server's body limit).
    public var body: [UInt8]
    /// The IP address of the TCP peer (a proxy's, when behind one).
    public var remoteAddress: String

    /// A request, as built by the server or by the in-process test client.
    public init(head: RequestHead, body: [UInt8] = [], remoteAddress: String = "127.0.0.1") {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The request method.
    public var method: HTTPMethod { head.method }
    /// The header fields.
    public var headers: HTTPHeaders { head.headers }
    /// The path, still percent-encoded, without the query.
    public var path: String { String(head.path) }
    /// The raw query string without `?`, if any.
    public var queryString: String? { head.query.map(String.init) }

    /// The query parameters. A bad percent-escape is a 400.
    public func query() throws(HTTPError) -> FormData {
        guard let raw = head.query else { return FormData() }
        guard let form = FormData(urlEncoded: raw) else { throw HTTPError(.badRequest, "Malformed query string.") }
        return form
    }

    /// The body as an `application/x-www-form-urlencoded` form: 415 for another content type,
    /// 400 for a bad percent-escape.
    public func form() throws(HTTPError) -> FormData {
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw HTTPError(.unsupportedMediaType, "Expected a form (application/x-www-form-urlencoded).")
        }
        guard let text = String(validating: body, as: UTF8.self), let form = FormData(urlEncoded: Substring(text)) else {
            throw HTTPError(.badRequest, "Malformed form body.")
        }
        return form
    }

    /// The body decoded from JSON: 415 for another content type, 400 with the decoder's complaint
    /// for bad JSON.
    public func decodeJSON<T: Decodable>(_ type: T.Type = T.self) throws(HTTPError) -> T {
        guard mediaType == "application/json" || mediaType?.hasSuffix("+json") == true else {
            throw HTTPError(.unsupportedMediaType, "Expected a JSON body (application/json).")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, _) {
            throw HTTPError(.badRequest, "Missing field \"\(key.stringValue)\".")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw HTTPError(.badRequest, "Field \"\(field)\" has the wrong type.")
        } catch {
            throw HTTPError(.badRequest, "Malformed JSON body.")
        }
    }

    /// The media type of the body (`Content-Type` without parameters), lowercased.
    public var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = Substring(Substring(value).utf8.prefix { $0 != UInt8(ascii: ";") })
        return String(type.trimmingOptionalWhitespace).lowercased()
    }

    /// The cookies the client sent; junk pairs are skipped (RFC 6265 §5.4, leniently).
    public var cookies: Cookies { Cookies(header: headers["Cookie"]) }
}
