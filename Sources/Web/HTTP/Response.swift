/// An HTTP response: status, headers and a body held in memory.
///
/// `Date`, `Content-Length` and `Connection` are written by the server, not stored here.
public struct Response: Sendable {
    /// The status line's code.
    public var status: HTTPStatus
    /// Header fields other than the ones the server adds.
    public var headers: HTTPHeaders
    /// The body bytes; ignored for HEAD requests and for statuses that forbid a body.
    public var body: [UInt8]

    /// A response with the given status, headers and body.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is `text` with the given content type.
    public init(status: HTTPStatus = .ok, contentType: String, text: String) {
        self.init(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// The response with `fields` set (replacing same-named ones), e.g. an error's `Retry-After`.
    public func setting(_ fields: HTTPHeaders) -> Response {
        var response = self
        for field in fields { response.headers.set(field.name, field.value) }
        return response
    }

    /// Adds a `Set-Cookie` field for `cookie`.
    public mutating func setCookie(_ cookie: Cookie) {
        headers.add("Set-Cookie", cookie.headerValue)
    }
}
