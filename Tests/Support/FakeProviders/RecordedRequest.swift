import Foundation
import Security
import Web

/// One request a fake received, kept so tests can assert exactly what the site sent.
public struct RecordedRequest: Sendable {
    /// The request method.
    public let method: HTTPMethod
    /// The path, still percent-encoded, without the query.
    public let path: String
    /// The raw query string without `?`, if any.
    public let rawQuery: String?
    /// The decoded query parameters (empty when absent or malformed).
    public let query: FormData
    /// The header fields as received.
    public let headers: HTTPHeaders
    /// The body bytes.
    public let body: [UInt8]

    /// Records `request`.
    init(_ request: Request) {
        method = request.method
        path = request.path
        rawQuery = request.queryString
        query = (try? request.query()) ?? FormData()
        headers = request.headers
        body = request.body
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded as a form, whatever the declared content type; empty when it is not one.
    public var form: FormData { FormData(urlEncoded: Substring(bodyText)) ?? FormData() }

    /// The body decoded as JSON, if it is JSON.
    public var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body)) }

    /// The first value of header `name`.
    public func header(_ name: String) -> String? { headers[name] }
}
