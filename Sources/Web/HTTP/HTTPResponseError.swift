import Storage

/// An error from a lower layer that knows which HTTP status it deserves, so the edge can answer
/// it precisely instead of with a generic 500.
public protocol HTTPResponseError: Error {
    /// The status to answer with.
    var status: HTTPStatus { get }
    /// A message safe to show to a client.
    var publicMessage: String { get }
}

extension DatabaseError: HTTPResponseError {
    /// A database that is down or locked is a temporary condition (503, try again); anything else
    /// is our bug (500).
    public var status: HTTPStatus {
        switch self {
        case .unavailable, .busy: .serviceUnavailable
        default: .internalServerError
        }
    }

    public var publicMessage: String {
        switch self {
        case .unavailable, .busy: "The service is temporarily unavailable. Please try again in a moment."
        default: "Something went wrong on our side. It has been logged; please try again."
        }
    }
}
