import Localization

/// An error that knows which HTTP status it deserves, so the edge can answer it precisely
/// instead of with a generic 500. `HTTPError` is the framework's own; a lower layer's error
/// becomes one through the app's `ErrorMapping`, not by knowing HTTP.
public protocol HTTPResponseError: Error {
    /// The status to answer with.
    var status: HTTPStatus { get }
    /// A message safe to show to a client.
    var publicMessage: String { get }
    /// Extra headers for the response, such as `Allow` or `Retry-After`.
    var headers: HTTPHeaders { get }
}

extension HTTPResponseError {
    public var headers: HTTPHeaders { HTTPHeaders() }
}

/// An error that maps straight to an HTTP status. Throw it from a handler or middleware; the
/// error middleware (or the server, as a last resort) turns it into a response.
public struct HTTPError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The status to answer with.
    public var status: HTTPStatus
    /// A message safe to show to the client.
    public var message: String
    /// Extra headers for the response, such as `Allow` or `Retry-After`.
    public var headers: HTTPHeaders
    /// The message for people, which an error page shows in the reader's language; `message`
    /// is its English (what JSON and logs get).
    public var localized: Message?

    /// An error with a status and a client-safe message (the reason phrase when omitted).
    public init(_ status: HTTPStatus, _ message: String? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.message = message ?? status.reasonPhrase
        self.headers = headers
    }

    /// An error whose message people read: pages show it translated.
    public init(_ status: HTTPStatus, _ message: Message, headers: HTTPHeaders = HTTPHeaders()) {
        self.init(status, message.description, headers: headers)
        localized = message
    }

    public var publicMessage: String { message }
    public var description: String { "\(status.code) \(message)" }
}
