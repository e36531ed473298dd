/// The request line and header fields of one HTTP/1.x request, as the parser produced them.
public struct RequestHead: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The raw request target in origin form (`/path?query`), still percent-encoded. An
    /// absolute-form target (`http://host/path?q`) is reduced to its origin form by the parser.
    public var target: String
    /// The path part of `target`, still percent-encoded.
    public var path: Substring { target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...] }
    /// The query part of `target` without the `?`, or nil when there is none.
    public var query: Substring? {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.index(after: mark)...]
    }
    /// Major and minor protocol version: (1, 1) or (1, 0).
    public var version: (major: Int, minor: Int)
    /// Header fields in received order.
    public var headers: HTTPHeaders
    /// Whether the connection may stay open after this request (version default and `Connection`).
    public var keepAlive: Bool

    /// A head, as built by the parser or by tests.
    public init(method: HTTPMethod, target: String, version: (major: Int, minor: Int) = (1, 1),
                headers: HTTPHeaders = HTTPHeaders(), keepAlive: Bool = true) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
    }
}
