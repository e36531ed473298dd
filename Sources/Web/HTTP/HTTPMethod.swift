/// An HTTP request method. Unknown but well-formed methods are kept, so the router can answer 405
/// (or 501) instead of the parser rejecting them.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token exactly as sent, e.g. `GET`.
    public let rawValue: String

    /// Wraps a method token.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let options = HTTPMethod(rawValue: "OPTIONS")

    /// Methods that change state and therefore need CSRF protection on cookie-authenticated routes.
    public var isUnsafe: Bool { !(self == .get || self == .head || self == .options || rawValue == "TRACE") }

    public var description: String { rawValue }
}
